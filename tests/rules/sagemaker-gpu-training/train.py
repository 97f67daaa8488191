import torch
import torch.nn.functional as F


def main():
    # ruleid: sagemaker-gpu-training
    device = torch.device("cuda")
    model = torch.nn.Linear(4, 2).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _epoch in range(3):
        for x, y in [(torch.randn(8, 4), torch.randint(0, 2, (8,)))]:
            optimizer.zero_grad()
            F.cross_entropy(model(x.to(device)), y.to(device)).backward()
            optimizer.step()


if __name__ == "__main__":
    main()
