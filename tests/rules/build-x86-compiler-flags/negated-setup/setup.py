import platform

args = ["-O2"]
if platform.machine() != "x86_64":
    # ruleid: build-x86-compiler-flags
    args.append("-mbmi")
else:
    # ok: build-x86-compiler-flags
    args.append("-mlzcnt")
