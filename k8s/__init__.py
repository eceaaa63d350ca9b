"""The workloads of the test beds: their programs (k8s/apps/) and the Kubernetes objects that run them.

Each workload is a ComponentResource (`testbed:k8s:<Noun>`) taking the cluster's Kubernetes
provider in its Args; shared pod conventions are in `pods.py`.
"""
