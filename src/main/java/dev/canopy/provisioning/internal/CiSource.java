package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException.FieldError;

/**
 * The GitHub repository ({@code owner/name}) and branch a deployment is built from, checked the way GitHub names
 * accounts and repositories and {@code git check-ref-format --branch} names branches, so that what is stored can be
 * what a webhook names.
 */
record CiSource(String repository, String branch) {

    /** Letters, digits and single inner hyphens, at most 39 characters (GitHub's user and organisation names). */
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    static final int MAX_BRANCH = 255;

    /**
     * Both or neither: a source when both are given and valid, null when neither is; otherwise the problems are
     * added to {@code errors} (and null answered).
     */
    static @Nullable CiSource of(@Nullable String repository, @Nullable String branch, List<FieldError> errors) {
        if (repository == null && branch == null) {
            return null;
        }
        int before = errors.size();
        if (repository == null) {
            errors.add(new FieldError("repository", "is required with a branch"));
        }
        else {
            repositoryProblem(repository).ifPresent(p -> errors.add(new FieldError("repository", p)));
        }
        if (branch == null) {
            errors.add(new FieldError("branch", "is required with a repository"));
        }
        else {
            branchProblem(branch).ifPresent(p -> errors.add(new FieldError("branch", p)));
        }
        return errors.size() == before ? new CiSource(repository, branch) : null;
    }

    static Optional<String> repositoryProblem(String repository) {
        int slash = repository.indexOf('/');
        if (slash < 0 || repository.length() > 140) {
            return Optional.of("must be a GitHub repository as owner/name, e.g. acme/web");
        }
        String owner = repository.substring(0, slash);
        String name = repository.substring(slash + 1);
        if (!OWNER.matcher(owner).matches()) {
            return Optional.of("must start with a GitHub account name (letters, digits, single inner "
                    + "hyphens, at most 39 characters) before the '/'");
        }
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return Optional.of("must end with a repository name (letters, digits, '.', '_', '-', at most "
                    + "100 characters) after the '/'");
        }
        return Optional.empty();
    }

    /** What {@code git check-ref-format --branch} would refuse, and names given as full refs. */
    static Optional<String> branchProblem(String branch) {
        if (branch.isEmpty() || branch.length() > MAX_BRANCH) {
            return Optional.of("must be 1 to " + MAX_BRANCH + " characters");
        }
        for (int i = 0; i < branch.length(); i++) {
            char c = branch.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ' ' || "~^:?*[\\".indexOf(c) >= 0) {
                return Optional.of("must not contain spaces, control characters or any of ~ ^ : ? * [ \\");
            }
        }
        if (branch.startsWith("refs/")) {
            return Optional.of("must be the branch name without refs/heads/");
        }
        if (branch.equals("@") || branch.contains("..") || branch.contains("@{") || branch.contains("//")
                || branch.startsWith("-") || branch.startsWith("/") || branch.endsWith("/") || branch.endsWith(".")) {
            return Optional.of("is not a valid git branch name");
        }
        for (String component : branch.split("/")) {
            if (component.startsWith(".") || component.endsWith(".lock")) {
                return Optional.of("is not a valid git branch name (no part may start with '.' or end "
                        + "with '.lock')");
            }
        }
        return Optional.empty();
    }
}
