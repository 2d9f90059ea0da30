"""Access-policy rows that every project shares: public routes, the same answer for everyone."""

PUBLIC_ROWS = {
    ("api-root", "GET"): {"*": 200},  # links; login lands here
    ("health", "GET"): {"*": 200},  # load balancers call it
    ("rest_framework:login", "GET"): {"*": 200},  # browsable API login page
    ("rest_framework:logout", "POST"): {"*": 200},
}
