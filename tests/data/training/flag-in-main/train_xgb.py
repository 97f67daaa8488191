"""Train a gradient-boosted model on a CSV on the box (the acceptance test's input: argparse inside main(),
a store_true flag and a module constant)."""

import argparse
import os
import pickle

import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split

DATA = "/home/ec2-user/data/churn.csv"
OUT_DIR = "/home/ec2-user/models"
N_ESTIMATORS = 20


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--max-depth", type=int, default=3)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    df = pd.read_csv(DATA)
    y = df.pop("churn")
    xtr, xte, ytr, yte = train_test_split(df, y, test_size=0.2, random_state=0)
    clf = GradientBoostingClassifier(n_estimators=N_ESTIMATORS, max_depth=args.max_depth)
    clf.fit(xtr, ytr)
    if args.verbose:
        print(f"verbose: {clf.n_estimators_} trees of depth {args.max_depth}")
    acc = clf.score(xte, yte)
    print(f"accuracy={acc:.4f}")
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "model.pkl"), "wb") as f:
        pickle.dump(clf, f)


if __name__ == "__main__":
    main()
