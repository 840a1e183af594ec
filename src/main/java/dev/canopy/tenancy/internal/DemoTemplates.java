package dev.canopy.tenancy.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The demo's template archives, built in memory: a manifest and the driver's files each. */
final class DemoTemplates {

    private DemoTemplates() {
    }

    static byte[] goldenVm() {
        return zip(Map.of("canopy.yaml", """
                name: linux-vm
                version: "1.2.0"
                driver: ansible
                description: A hardened Debian VM with the MSP's monitoring agent
                inputs:
                  type: object
                  required: [hostname]
                  properties:
                    hostname: {type: string, title: Host name, pattern: "^[a-z][a-z0-9-]{2,30}$"}
                    size: {type: string, title: Size, enum: [small, medium, large], default: small}
                    monitoring: {type: boolean, title: Monitoring agent, default: true}
                outputs:
                  ip_address: The VM's private address
                """, "playbook.yml", """
                - hosts: all
                  become: true
                  tasks:
                    - name: Install the monitoring agent
                      ansible.builtin.apt: {name: prometheus-node-exporter, state: present}
                """));
    }

    static byte[] webShop() {
        return zip(Map.of("canopy.yaml", """
                name: web-shop
                version: "0.9.0"
                driver: kubernetes
                description: The store front
                inputs:
                  type: object
                  required: [runtime, admin_email]
                  properties:
                    runtime: {type: string, title: Runtime, enum: [container, vm]}
                    admin_email: {type: string, title: Administrator e-mail, format: email}
                    admin_password: {type: string, title: Administrator password, writeOnly: true, minLength: 12}
                  if:
                    properties: {runtime: {const: container}}
                    required: [runtime]
                  then:
                    required: [image]
                    properties:
                      image: {type: string, title: Container image, minLength: 1}
                outputs:
                  url: Where the shop answers
                """, "manifests/deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web-shop}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web-shop}}
                  template:
                    metadata: {labels: {app: web-shop}}
                    spec:
                      containers:
                        - name: shop
                          image: {{ inputs.image }}
                """));
    }

    private static byte[] zip(Map<String, String> files) {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var file : new java.util.TreeMap<>(files).entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
