"""`python -m testbed lab`: a stack's keep-alive experiments on this machine, no cloud account.

The server and client are the programs the pods run (k8s/apps/keepalive: app.py under
gunicorn with the pod's command line, client.py with the pod's argv and environment); the load
balancer is a real one: nginx from Debian for the ALB beds (`alb`), Linux conntrack and an
nftables DNAT between network namespaces for the NLB beds (`nlb`). Times are divided by
`--time-scale`. The experiments and the judge are the stack's own (testbed/experiments).
"""

LAB_SCENARIOS = {"alb-keepalive": "alb", "nlb-keepalive": "nlb"}
"""Scenario -> the kind of bed the lab builds for it."""
