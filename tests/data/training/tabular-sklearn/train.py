"""Train a gradient-boosted classifier on a tabular CSV export.

Run by hand on the analytics instance: `python train.py --max-iter 200`.
Reads data/train.csv and data/test.csv (the label column is "label") and
writes artifacts/model.joblib plus artifacts/metrics.json.
"""

import argparse
import json
import os

import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score


def parse_args():
    parser = argparse.ArgumentParser(description="Gradient-boosted trees on a CSV export.")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--model-dir", default="artifacts")
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--max_leaf_nodes", type=int, default=31)
    parser.add_argument("--early-stopping", action="store_true", help="stop when the validation score stalls")
    parser.add_argument("--label", default="label")
    return parser.parse_args()


def main():
    args = parse_args()
    train = pd.read_csv(os.path.join(args.data_dir, "train.csv"))
    test = pd.read_csv(os.path.join(args.data_dir, "test.csv"))
    y_train = train.pop(args.label)
    y_test = test.pop(args.label)
    model = HistGradientBoostingClassifier(
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        max_leaf_nodes=args.max_leaf_nodes,
        early_stopping=args.early_stopping,
        random_state=0,
    )
    model.fit(train, y_train)
    accuracy = accuracy_score(y_test, model.predict(test))
    print(f"test accuracy: {accuracy:.4f} after {model.n_iter_} iterations")
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
    with open(os.path.join(args.model_dir, "metrics.json"), "w") as handle:
        json.dump({"accuracy": accuracy, "iterations": int(model.n_iter_)}, handle)


if __name__ == "__main__":
    main()
