import argparse

from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
# ruleid: sagemaker-boolean-flag
parser.add_argument("--balanced", action="store_true")
# ruleid: sagemaker-boolean-flag
parser.add_argument("--fit-intercept", type=bool, default=True)
# ok: sagemaker-boolean-flag
parser.add_argument("--c", type=float, default=1.0)

if __name__ == "__main__":
    args = parser.parse_args()
    LogisticRegression(C=args.c).fit([[0.0], [1.0]], [0, 1])
