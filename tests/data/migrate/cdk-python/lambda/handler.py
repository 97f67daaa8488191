def main(event: dict, context: object) -> dict:
    return {"ok": True}
