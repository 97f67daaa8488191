import argparse

from sklearn.cluster import MiniBatchKMeans

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    # ruleid: sagemaker-positional-argument
    parser.add_argument("n_clusters", type=int)
    # ok: sagemaker-positional-argument
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    MiniBatchKMeans(n_clusters=args.n_clusters, random_state=args.seed).fit([[0.0], [1.0], [2.0]])
