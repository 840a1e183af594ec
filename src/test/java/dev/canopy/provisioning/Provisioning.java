package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.canopy.support.Api;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;

/** Builds what provisioning tests deploy (Ansible templates whose playbooks act on a directory) and waits on runs. */
public final class Provisioning {

    static final Set<String> FINAL = Set.of("succeeded", "failed", "dead_letter", "rejected", "expired", "canceled");

    /** A playbook that makes {@code <target>/tree/a/b} with a file holding the input {@code message}. */
    public static final String FILES_PLAYBOOK = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: make the tree
                  ansible.builtin.file:
                    path: "{{ target }}/tree/a/b"
                    state: directory
                - name: write the message
                  ansible.builtin.copy:
                    dest: "{{ target }}/tree/a/b/message.txt"
                    content: "{{ message }}\\n"
                - name: report outputs
                  ansible.builtin.set_fact:
                    canopy_outputs:
                      path: "{{ target }}/tree/a/b/message.txt"
                      action: "{{ canopy_action }}"
            """;

    static final String FILES_DESTROY = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: remove the tree
                  ansible.builtin.file:
                    path: "{{ target }}/tree"
                    state: absent
            """;

    static final String INPUTS = """
            type: object
            required: [target, message]
            properties:
              target: {type: string}
              message: {type: string}
              api_token: {type: string, writeOnly: true}
            """;

    private final Api api;

    public Provisioning(Api api) {
        this.api = api;
    }

    /** A template with a published 1.0.0 of the given playbooks; answers its id. */
    public String template(Session by, String playbook, String destroy) {
        Api.Response created = api.post("/api/v1/templates", by.accessToken(), obj("name", "Files "
                + UUID.randomUUID(), "description", "Files on the worker", "driver", "ansible"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asString();
        var archive = TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "ansible", INPUTS))
                .file("playbook.yml", playbook);
        if (destroy != null) {
            archive.file("destroy.yml", destroy);
        }
        Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", by.accessToken(), "file",
                "template.zip", archive.zip());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return id;
    }

    public String environment(Session by, String name) {
        for (JsonNode e : api.get("/api/v1/environments", by.accessToken()).json().path("items")) {
            if (e.path("name").asString().equals(name)) {
                return e.path("id").asString();
            }
        }
        throw new AssertionError("no environment " + name);
    }

    public Api.Response deploy(Session by, String templateId, String environmentId, Path target, Map<String, Object> extra) {
        var body = new java.util.LinkedHashMap<String, Object>(obj("name", "dep-" + UUID.randomUUID(),
                "template_id", templateId, "environment_id", environmentId,
                "inputs", obj("target", target.toString(), "message", "hello from canopy")));
        body.putAll(extra);
        return api.post("/api/v1/deployments", by.accessToken(), body);
    }

    /** Polls the run until it is in one of the states (or any final one when none are given). */
    public JsonNode await(Session by, String runId, String... states) {
        Set<String> wanted = states.length == 0 ? FINAL : Set.of(states);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = api.get("/api/v1/runs/" + runId, by.accessToken()).json();
            if (wanted.contains(run.path("state").asString())) {
                return run;
            }
            if (FINAL.contains(run.path("state").asString())) {
                throw new AssertionError("run ended " + run.path("state").asString() + " waiting for " + wanted
                        + ": " + run + "\nlog: " + api.get("/api/v1/runs/" + runId + "/logs", by.accessToken())
                                .text());
            }
            sleep(100);
        }
        throw new AssertionError("run still " + (run == null ? "?" : run.path("state").asString()) + " waiting for "
                + wanted + ": " + run);
    }

    public String log(Session by, String runId) {
        return api.get("/api/v1/runs/" + runId + "/logs?limit=5000", by.accessToken()).text();
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
