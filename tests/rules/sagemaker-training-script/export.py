import torch

# A __main__ script that imports torch but does not train.
# ok: sagemaker-training-script
if __name__ == "__main__":
    torch.save(torch.nn.Linear(4, 2).state_dict(), "weights.pt")
