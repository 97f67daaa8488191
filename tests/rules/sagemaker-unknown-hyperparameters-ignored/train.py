import argparse

from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--c", type=float, default=1.0)

if __name__ == "__main__":
    # ruleid: sagemaker-unknown-hyperparameters-ignored
    args, _ = parser.parse_known_args()
    LogisticRegression(C=args.c).fit([[0.0], [1.0]], [0, 1])
