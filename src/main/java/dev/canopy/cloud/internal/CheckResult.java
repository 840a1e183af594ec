package dev.canopy.cloud.internal;

/** What testing an account found: whether the provider accepted the credentials, and what it said. */
record CheckResult(boolean ok, String detail) {

    static CheckResult ok(String detail) {
        return new CheckResult(true, detail);
    }

    static CheckResult failed(String detail) {
        return new CheckResult(false, detail);
    }
}
