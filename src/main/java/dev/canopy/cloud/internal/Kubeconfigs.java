package dev.canopy.cloud.internal;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;

/**
 * Reads a kubeconfig given as credentials and refuses what would make Canopy's own server act on it: {@code exec}
 * and {@code auth-provider} (they run commands) and file references (they read the server's files). Only inline
 * {@code *-data}, tokens and basic credentials are accepted.
 */
final class Kubeconfigs {

    private Kubeconfigs() {
    }

    /** The problems of a kubeconfig, empty when Canopy can use it. */
    static List<String> problems(String kubeconfig) {
        Config config;
        try {
            config = KubeConfigUtils.parseConfigFromString(kubeconfig);
        }
        catch (RuntimeException e) {
            return List.of("is not a kubeconfig document (YAML with clusters, users and contexts)");
        }
        List<String> problems = new ArrayList<>();
        if (config == null || config.getClusters() == null || config.getClusters().isEmpty()) {
            return List.of("has no cluster");
        }
        if (config.getCurrentContext() == null || config.getCurrentContext().isBlank()) {
            problems.add("has no current-context");
        }
        for (NamedCluster named : config.getClusters()) {
            Cluster cluster = named.getCluster();
            if (cluster == null || cluster.getServer() == null || !cluster.getServer().matches("https?://\\S+")) {
                problems.add("cluster '" + named.getName() + "' has no http(s) server URL");
            }
            else if (cluster.getCertificateAuthority() != null) {
                problems.add("cluster '" + named.getName() + "' refers to a certificate-authority file; "
                        + "use certificate-authority-data");
            }
        }
        if (config.getUsers() != null) {
            for (NamedAuthInfo named : config.getUsers()) {
                AuthInfo user = named.getUser();
                if (user == null) {
                    continue;
                }
                if (user.getExec() != null || user.getAuthProvider() != null) {
                    problems.add("user '" + named.getName() + "' uses exec or auth-provider, which would run on "
                            + "Canopy's server; use a token or client-certificate-data");
                }
                if (user.getTokenFile() != null || user.getClientCertificate() != null || user.getClientKey() != null) {
                    problems.add("user '" + named.getName() + "' refers to files; use token or *-data fields");
                }
            }
        }
        return problems;
    }

    /** The current context's name, for the masked hint. */
    static String currentContext(String kubeconfig) {
        String context = KubeConfigUtils.parseConfigFromString(kubeconfig).getCurrentContext();
        return context == null ? "" : context;
    }
}
