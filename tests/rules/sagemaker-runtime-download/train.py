import urllib.request

import torch
import torch.nn.functional as F
from torchvision import datasets

URL = "https://example.com/vocab.txt"


def main():
    # ruleid: sagemaker-runtime-download
    train_set = datasets.CIFAR10("./data", train=True, download=True)
    # ok: sagemaker-runtime-download
    test_set = datasets.CIFAR10("./data", train=False)
    # ruleid: sagemaker-runtime-download
    urllib.request.urlretrieve(URL, "vocab.txt")
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _epoch in range(2):
        for x, y in train_set:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
    del test_set


if __name__ == "__main__":
    main()
