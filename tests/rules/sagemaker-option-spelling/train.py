import argparse

from sklearn.ensemble import RandomForestClassifier

parser = argparse.ArgumentParser()
# ruleid: sagemaker-option-spelling
parser.add_argument("--n-estimators", type=int, default=100)
# ok: sagemaker-option-spelling
parser.add_argument("--max-depth", "--max_depth", type=int, default=8)
# ok: sagemaker-option-spelling
parser.add_argument("--seed", type=int, default=0)

if __name__ == "__main__":
    args = parser.parse_args()
    RandomForestClassifier(n_estimators=args.n_estimators).fit([[0.0], [1.0]], [0, 1])
