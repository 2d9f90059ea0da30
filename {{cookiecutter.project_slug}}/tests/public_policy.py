"""Access-policy rows that every project shares: public routes, the same answer for everyone."""

# fmt: off
PUBLIC_ROWS = {
    # (route, method)                  anon  owner  other   vip  staff
    ("api-root", "GET"):               ( 200,  200,  200,  200,  200),  # links; login lands here
    ("health", "GET"):                 ( 200,  200,  200,  200,  200),  # load balancers call it
    ("rest_framework:login", "GET"):   ( 200,  200,  200,  200,  200),  # browsable API login page
    ("rest_framework:logout", "POST"): ( 200,  200,  200,  200,  200),
}
# fmt: on
