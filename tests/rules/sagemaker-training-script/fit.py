from sklearn.linear_model import LogisticRegression

# ruleid: sagemaker-training-script
if __name__ == "__main__":
    LogisticRegression().fit([[0.0], [1.0]], [0, 1])
