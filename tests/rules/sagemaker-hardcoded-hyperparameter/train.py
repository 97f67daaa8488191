import torch
import torch.nn.functional as F

# ruleid: sagemaker-hardcoded-hyperparameter
EPOCHS = 20
LEARNING_RATE = 0.01
# ok: sagemaker-hardcoded-hyperparameter
SHUFFLE = True


def main():
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    for _epoch in range(EPOCHS):
        for x, y in [(torch.randn(8, 4), torch.randint(0, 2, (8,)))]:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
    print(SHUFFLE)


if __name__ == "__main__":
    main()
