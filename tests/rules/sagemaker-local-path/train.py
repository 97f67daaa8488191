import os

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

# ruleid: sagemaker-local-path
DATA_DIR = "/home/ec2-user/data"
# ok: sagemaker-local-path
C = 1.0


def main():
    frame = pd.read_csv(os.path.join(DATA_DIR, "train.csv"))
    labels = frame.pop("label")
    model = LogisticRegression(C=C).fit(frame, labels)
    # ruleid: sagemaker-local-path
    joblib.dump(model, "model.joblib")


if __name__ == "__main__":
    main()
