package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.cloud.CloudAccountCredentials;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Applies the Kubernetes manifests of a template version to the namespace of the environment's cloud account.
 * <p>
 * Conventions: every {@code *.yaml}/{@code *.yml} file under {@code manifests/}, in path order, multi-document
 * YAML allowed; {@code {{ inputs.x }}} / {@code {{ inputs.x.y }}} stand for a whole value and are replaced by the
 * input's JSON text (strings quoted and escaped, non-ASCII as {@code \}{@code u} escapes), so an input can never
 * add lines or structure to the YAML. An optional {@code outputs.yaml} maps output names to {@code {kind, name,
 * path}}, read from the live object after apply ({@code path} a JSON pointer or a dotted path).
 * <p>
 * Isolation: the account's {@code namespace} setting is required; every object is put into it, and an object
 * naming another namespace or of a cluster-scoped kind refuses the whole run before anything is sent. Objects are
 * applied server-side (field manager {@code canopy}) and labelled {@code canopy.dev/deployment=<id>}, which is how
 * apply prunes what the manifests no longer hold and destroy finds what to remove.
 */
@Component
class KubernetesDriver implements ProvisioningDriver {

    static final String LABEL = "canopy.dev/deployment";
    static final String MANIFESTS = "manifests";
    static final String OUTPUTS = "outputs.yaml";
    static final String FIELD_MANAGER = "canopy";

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    // escaped non-ASCII too: a raw line or paragraph separator is a line break to some YAML parsers
    private static final JsonMapper SCALARS = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNode NULL = JsonNodeFactory.instance.nullNode();
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "\\{\\{\\s*inputs((?:\\.[A-Za-z0-9_-]+)+)\\s*}}");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "ClusterRole",
            "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass", "RuntimeClass",
            "IngressClass", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "CertificateSigningRequest",
            "VolumeAttachment", "CSIDriver", "CSINode", "FlowSchema", "PriorityLevelConfiguration",
            "ComponentStatus");
    /** Kinds destroy and pruning look through besides those the manifests use. */
    private static final List<Class<? extends HasMetadata>> COMMON = List.of(Ingress.class, Service.class,
            Deployment.class, StatefulSet.class, DaemonSet.class, CronJob.class, Job.class,
            HorizontalPodAutoscaler.class, PodDisruptionBudget.class, NetworkPolicy.class, RoleBinding.class,
            Role.class, ServiceAccount.class, PersistentVolumeClaim.class, Secret.class, ConfigMap.class);

    @Override
    public String key() {
        return "kubernetes";
    }

    @Override
    public Availability availability() {
        // the client is part of Canopy; what a run needs (a reachable API server) belongs to its cloud account
        return new Availability(true, "fabric8 kubernetes-client; needs a kubernetes cloud account with a namespace");
    }

    @Override
    public DriverResult plan(DriverRun run) {
        Manifests manifests = Manifests.read(run);
        try (KubernetesClient client = client(run.environment())) {
            return guarded(() -> {
                List<Target> targets = resolve(client, manifests);
                List<DriverResult.Change> changes = compare(client, run, manifests, targets);
                changes.forEach(c -> run.log().line("stdout", "info", c.action() + " " + c.address()));
                return new DriverResult(changes, JsonNodeFactory.instance.objectNode());
            });
        }
    }

    @Override
    public DriverResult apply(DriverRun run) {
        Manifests manifests = Manifests.read(run);
        Map<String, OutputRef> outputs = outputs(run.workDirectory(), manifests);
        try (KubernetesClient client = client(run.environment())) {
            return guarded(() -> {
                List<Target> targets = resolve(client, manifests);
                List<DriverResult.Change> changes = compare(client, run, manifests, targets);
                run.requireApproved(changes); // the cluster may have changed while the plan waited for approval
                // the object being sent is finished; the next is not started (a request cut off mid-way would
                // leave the server's state unknown)
                run.cancel().onRaise(() -> run.log().line("system", "warn", "asked to stop: stopping after the "
                        + "object being applied"));
                for (Target t : targets) {
                    checkCanceled(run);
                    serverSideApply(client, manifests.namespace(), t);
                    run.log().line("stdout", "info", "applied " + t.address());
                }
                for (HasMetadata stale : stale(client, run, manifests, targets)) {
                    checkCanceled(run);
                    delete(client, manifests.namespace(), stale);
                    run.log().line("stdout", "info", "deleted " + address(stale));
                }
                return new DriverResult(changes, read(client, manifests, targets, outputs, run.log()));
            });
        }
    }

    @Override
    public DriverResult destroy(DriverRun run) {
        Manifests manifests = Manifests.read(run);
        try (KubernetesClient client = client(run.environment())) {
            return guarded(() -> {
                List<Target> targets = resolve(client, manifests);
                List<HasMetadata> labelled = labelled(client, run, manifests, targets);
                Map<String, Integer> order = new LinkedHashMap<>();
                for (int i = 0; i < targets.size(); i++) {
                    order.put(targets.get(i).address(), i);
                }
                // the manifests' own objects in reverse (what uses a ConfigMap goes before it), then the others
                labelled.sort(Comparator.comparingInt(o -> -order.getOrDefault(address(o), -1)));
                List<DriverResult.Change> changes = new ArrayList<>();
                for (HasMetadata o : labelled) {
                    checkCanceled(run);
                    delete(client, manifests.namespace(), o);
                    run.log().line("stdout", "info", "deleted " + address(o));
                    changes.add(new DriverResult.Change("delete", address(o), NULL, NULL));
                }
                return new DriverResult(changes, JsonNodeFactory.instance.objectNode());
            });
        }
    }

    /** One manifest object, as written (substituted, namespaced, labelled) and as fabric8 sends it. */
    record Target(String address, ObjectNode desired, HasMetadata object) {
    }

    record OutputRef(String kind, String name, String pointer) {
    }

    /** The manifests of a version, read, substituted and checked for isolation; nothing has been sent yet. */
    record Manifests(String namespace, List<ObjectNode> documents) {

        static Manifests read(DriverRun run) {
            if (!"kubernetes".equals(run.environment().get("CANOPY_PROVIDER"))) {
                throw new DriverFailure("The Kubernetes driver needs the environment to use a kubernetes cloud "
                        + "account.", false);
            }
            return read(files(run.workDirectory()), run.inputs(), run.environment().get("CANOPY_SETTING_NAMESPACE"),
                    run.deploymentId());
        }

        /**
         * Reads the manifest files (name under the version's root → text, in path order), put into the namespace
         * and labelled for the deployment (when it has an id yet).
         */
        static Manifests read(SortedMap<String, String> files, JsonNode inputs, @Nullable String namespace,
                @Nullable UUID deploymentId) {
            if (namespace == null || namespace.isBlank()) {
                throw new DriverFailure("The environment's Kubernetes cloud account has no namespace setting; the "
                        + "Kubernetes driver only deploys into the account's namespace.", false);
            }
            if (files.isEmpty()) {
                throw new DriverFailure("The template version has no manifests/*.yaml for the Kubernetes driver.",
                        false);
            }
            List<ObjectNode> documents = new ArrayList<>();
            for (var file : files.entrySet()) {
                String name = file.getKey();
                String substituted = substitute(file.getValue(), inputs, name);
                try {
                    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(substituted).readAll()) {
                        if (doc == null || doc.isNull() || doc.isMissingNode()) {
                            continue; // an empty document between two ---
                        }
                        if (!doc.isObject()) {
                            throw new DriverFailure(name + " holds a document that is not a Kubernetes object", false);
                        }
                        documents.add(checked((ObjectNode) doc, namespace, deploymentId, name));
                    }
                }
                catch (JacksonException e) {
                    throw new DriverFailure(name + " is not valid YAML: " + e.getOriginalMessage(), false);
                }
            }
            if (documents.isEmpty()) {
                throw new DriverFailure("The template version's manifests/ holds no Kubernetes object.", false);
            }
            return new Manifests(namespace, documents);
        }

        /** The {@code manifests/**}{@code /*.yaml|yml} files of an unpacked version. */
        static SortedMap<String, String> files(Path work) {
            Path dir = work.resolve(MANIFESTS);
            SortedMap<String, String> files = new TreeMap<>();
            if (!Files.isDirectory(dir)) {
                return files;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).filter(p -> manifest(p.toString())).toList()) {
                    files.put(work.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
            catch (IOException e) {
                throw new DriverFailure("Cannot read the manifests: " + e.getMessage(), false);
            }
            return files;
        }

        /** The same files of a version's archive (checked by the catalog when it was published). */
        static SortedMap<String, String> files(byte[] archive) {
            SortedMap<String, String> files = new TreeMap<>();
            try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive))
                    .get()) {
                for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                    String name = entry.getName().replace('\\', '/');
                    if (!entry.isDirectory() && name.startsWith(MANIFESTS + "/") && manifest(name)) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            files.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            catch (IOException e) {
                throw new DriverFailure("Cannot read the template version: " + e.getMessage(), false);
            }
            return files;
        }

        private static boolean manifest(String name) {
            return name.endsWith(".yaml") || name.endsWith(".yml");
        }

        private static ObjectNode checked(ObjectNode doc, String namespace, @Nullable UUID deploymentId,
                String file) {
            String kind = doc.path("kind").asString("");
            String name = doc.path("metadata").path("name").asString("");
            if (kind.isEmpty() || doc.path("apiVersion").asString("").isEmpty() || name.isEmpty()) {
                throw new DriverFailure(file + ": every object needs apiVersion, kind and metadata.name", false);
            }
            if (kind.endsWith("List")) {
                throw new DriverFailure(file + ": " + kind + " is not supported; write its items as documents", false);
            }
            if (CLUSTER_SCOPED.contains(kind)) {
                throw new OutsideNamespace(file + ": " + kind + "/" + name + " is cluster-scoped; the Kubernetes "
                        + "driver only deploys into the namespace " + namespace);
            }
            ObjectNode metadata = (ObjectNode) doc.get("metadata");
            String own = metadata.path("namespace").asString("");
            if (!own.isEmpty() && !own.equals(namespace)) {
                throw new OutsideNamespace(file + ": " + kind + "/" + name + " names the namespace " + own
                        + "; the Kubernetes driver only deploys into " + namespace);
            }
            metadata.put("namespace", namespace);
            if (deploymentId != null) {
                JsonNode labels = metadata.path("labels");
                if (!labels.isObject()) {
                    labels = metadata.putObject("labels");
                }
                ((ObjectNode) labels).put(LABEL, deploymentId.toString());
            }
            return doc;
        }
    }

    /** Replaces each placeholder by its input's JSON text, which YAML reads back as the same scalar. */
    static String substitute(String text, JsonNode inputs, String file) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode value = inputs;
            for (String part : m.group(1).substring(1).split("\\.")) {
                value = value.isObject() ? value.path(part) : JsonNodeFactory.instance.missingNode();
            }
            if (value.isMissingNode()) {
                throw new DriverFailure(file + ": unknown input " + m.group(), false);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(SCALARS.writeValueAsString(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** An object the account's namespace cannot hold: one naming another namespace, or of a cluster-scoped kind. */
    static final class OutsideNamespace extends DriverFailure {

        OutsideNamespace(String message) {
            super(message, false);
        }
    }

    /**
     * What a run of the version would refuse before sending anything, found without an API server: the manifests
     * read with these inputs into this namespace, as fabric8 objects (custom kinds are checked by discovery at run
     * time). Throws the run's own {@link DriverFailure}; {@link OutsideNamespace} for isolation.
     */
    static void admit(byte[] archive, JsonNode inputs, @Nullable String namespace) {
        objects(Manifests.read(Manifests.files(archive), inputs, namespace, null));
    }

    /** Turns the documents into fabric8 objects and refuses kinds the server says are not namespaced. */
    private static List<Target> resolve(KubernetesClient client, Manifests manifests) {
        Map<String, Boolean> namespacedByKind = new LinkedHashMap<>();
        List<Target> targets = objects(manifests);
        for (Target t : targets) {
            HasMetadata object = t.object();
            if (object instanceof GenericKubernetesResource && !namespacedByKind.computeIfAbsent(
                    object.getApiVersion() + " " + object.getKind(), k -> discoveredNamespaced(client, object))) {
                throw new OutsideNamespace(t.address() + " is cluster-scoped; the Kubernetes driver only deploys "
                        + "into the namespace " + manifests.namespace());
            }
        }
        return targets;
    }

    /** The documents as fabric8 objects; a typed kind that is not namespaced, or an object twice, is refused. */
    private static List<Target> objects(Manifests manifests) {
        List<Target> targets = new ArrayList<>();
        for (ObjectNode doc : manifests.documents()) {
            HasMetadata object;
            try {
                object = KUBE.unmarshal(JSON.writeValueAsString(doc));
            }
            catch (RuntimeException e) {
                throw new DriverFailure(doc.path("kind").asString() + "/" + doc.path("metadata").path("name")
                        .asString() + " is not a valid object: " + e.getMessage(), false);
            }
            String address = address(object);
            if (!(object instanceof GenericKubernetesResource) && !(object instanceof Namespaced)) {
                throw new OutsideNamespace(address + " is cluster-scoped; the Kubernetes driver only deploys into "
                        + "the namespace " + manifests.namespace());
            }
            if (targets.stream().anyMatch(t -> t.address().equals(address))) {
                throw new DriverFailure("The manifests hold " + address + " twice", false);
            }
            targets.add(new Target(address, doc, object));
        }
        return targets;
    }

    private static boolean discoveredNamespaced(KubernetesClient client, HasMetadata object) {
        APIResourceList resources = at(object.getKind(), () -> client.getApiResources(object.getApiVersion()));
        if (resources != null) {
            for (APIResource r : resources.getResources()) {
                if (object.getKind().equals(r.getKind()) && !r.getName().contains("/")) {
                    return Boolean.TRUE.equals(r.getNamespaced());
                }
            }
        }
        throw new DriverFailure("The API server does not know the kind " + object.getKind() + " of "
                + object.getApiVersion(), false);
    }

    /**
     * The change list: each manifest object against its live one, then the labelled objects the manifests no longer
     * hold. The comparison is client-side, over the fields the manifest sets (what server-side apply owns); a server
     * dry-run would also show defaults and admission changes, but no test here could show that it works (the
     * tests' API server is fabric8's CRUD mock), and a field the manifest does not set is not one apply would change.
     */
    private static List<DriverResult.Change> compare(KubernetesClient client, DriverRun run, Manifests manifests,
            List<Target> targets) {
        List<DriverResult.Change> changes = new ArrayList<>();
        for (Target t : targets) {
            checkCanceled(run);
            HasMetadata live = at(t.address(), () -> client.resource(t.object()).inNamespace(manifests.namespace())
                    .get());
            if (live == null) {
                changes.add(new DriverResult.Change("create", t.address(), NULL, t.desired()));
                continue;
            }
            ObjectNode before = JsonNodeFactory.instance.objectNode();
            ObjectNode after = JsonNodeFactory.instance.objectNode();
            differences(t.desired(), JSON.readTree(KUBE.asJson(live)), "", before, after);
            changes.add(after.isEmpty() ? new DriverResult.Change("no-op", t.address(), NULL, NULL)
                    : new DriverResult.Change("update", t.address(), before, after));
        }
        for (HasMetadata stale : stale(client, run, manifests, targets)) {
            changes.add(new DriverResult.Change("delete", address(stale), NULL, NULL));
        }
        return changes;
    }

    /** The fields {@code desired} sets that {@code live} does not hold as such, by dotted path. */
    static void differences(JsonNode desired, JsonNode live, String path, ObjectNode before, ObjectNode after) {
        if (desired.isObject() && live.isObject()) {
            for (var e : desired.properties()) {
                differences(e.getValue(), live.path(e.getKey()), path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                        before, after);
            }
            return;
        }
        if (desired.isArray() && live.isArray() && desired.size() == live.size()) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            ObjectNode a = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < desired.size(); i++) {
                differences(desired.get(i), live.get(i), path, b, a);
            }
            if (a.isEmpty()) {
                return;
            }
            // an element differs: the whole list is what apply replaces
            before.set(path, live);
            after.set(path, desired);
            return;
        }
        if (!sameScalar(desired, live)) {
            before.set(path, live.isMissingNode() ? JsonNodeFactory.instance.nullNode() : live);
            after.set(path, desired);
        }
    }

    private static boolean sameScalar(JsonNode desired, JsonNode live) {
        if (desired.equals(live)) {
            return true;
        }
        // the API server answers quantities and numbers in its own spelling: 1 and "1" are the same port or count
        if (desired.isValueNode() && live.isValueNode() && !desired.isNull() && !live.isMissingNode()) {
            return desired.asString().equals(live.asString());
        }
        return desired.isNull() && live.isMissingNode()
                || desired.isEmpty() && live.isMissingNode() && (desired.isObject() || desired.isArray());
    }

    /** The labelled objects of this deployment the manifests no longer hold. */
    private static List<HasMetadata> stale(KubernetesClient client, DriverRun run, Manifests manifests,
            List<Target> targets) {
        Set<String> wanted = new java.util.HashSet<>();
        targets.forEach(t -> wanted.add(t.address()));
        return labelled(client, run, manifests, targets).stream().filter(o -> !wanted.contains(address(o))).toList();
    }

    /** Every object of this deployment in the namespace, among the manifests' kinds and the common ones. */
    private static List<HasMetadata> labelled(KubernetesClient client, DriverRun run, Manifests manifests,
            List<Target> targets) {
        String id = run.deploymentId().toString();
        String ns = manifests.namespace();
        Map<String, HasMetadata> found = new LinkedHashMap<>();
        Set<String> listed = new java.util.HashSet<>();
        for (Target t : targets) {
            HasMetadata o = t.object();
            if (!listed.add(o.getApiVersion() + " " + o.getKind())) {
                continue;
            }
            try {
                List<? extends HasMetadata> items = o instanceof GenericKubernetesResource
                        ? client.genericKubernetesResources(o.getApiVersion(), o.getKind()).inNamespace(ns)
                                .withLabel(LABEL, id).list().getItems()
                        : client.resources(o.getClass()).inNamespace(ns).withLabel(LABEL, id).list().getItems();
                items.forEach(i -> found.putIfAbsent(address(i), i));
            }
            catch (KubernetesClientException e) {
                // a kind the server does not serve has no objects to find; applying it reports the real problem
                if (e.getCode() != 404) {
                    throw failure(o.getKind() + ": ", e);
                }
            }
        }
        for (Class<? extends HasMetadata> type : COMMON) {
            String kind = HasMetadata.getKind(type);
            if (!listed.add(HasMetadata.getApiVersion(type) + " " + kind)) {
                continue;
            }
            try {
                client.resources(type).inNamespace(ns).withLabel(LABEL, id).list().getItems()
                        .forEach(i -> found.putIfAbsent(address(i), i));
            }
            catch (KubernetesClientException e) {
                if (e.getCode() != 403 && e.getCode() != 404) {
                    throw failure(kind + ": ", e);
                }
                if (e.getCode() == 403) {
                    // the account may not see every kind; what it cannot list it could not have made either
                    run.log().line("stdout", "warn", "not allowed to list " + kind + ", skipped");
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    /**
     * Server-side apply, which creates what is absent. fabric8's CRUD mock server treats an apply patch as a merge
     * patch of an existing object and answers 404 for an absent one; a real API server answers 404 only when the
     * namespace is missing, and then the create below fails the same way and its message is the one reported.
     */
    private static void serverSideApply(KubernetesClient client, String namespace, Target t) {
        try {
            client.resource(t.object()).inNamespace(namespace).fieldManager(FIELD_MANAGER).forceConflicts()
                    .serverSideApply();
        }
        catch (KubernetesClientException e) {
            if (e.getCode() == 415) {
                // a server without server-side apply (before Kubernetes 1.18, or a test double): the manifest's
                // fields set on the live object (lists replaced whole, as apply does) and sent as the JSON patch
                // between the two, without field ownership. Not a merge patch: fabric8's mock merges lists
                // element by element, so every re-apply would append a Service's ports again.
                // (edit diffs against the item its resource was made from, so that must be the live object)
                HasMetadata current = at(t.address(), () -> client.resource(t.object()).inNamespace(namespace).get());
                if (current != null) {
                    at(t.address(), () -> client.resource(current).inNamespace(namespace).edit(live ->
                            KUBE.unmarshal(JSON.writeValueAsString(overlaid(JSON.readTree(KUBE.asJson(live)),
                                    t.desired())), HasMetadata.class)));
                    return;
                }
            }
            else if (e.getCode() != 404) {
                throw failure(t.address() + ": ", e);
            }
            at(t.address(), () -> client.resource(t.object()).inNamespace(namespace).create());
        }
    }

    /** {@code live} with {@code desired}'s fields set: objects merged field by field, anything else replaced. */
    static JsonNode overlaid(JsonNode live, JsonNode desired) {
        if (!live.isObject() || !desired.isObject()) {
            return desired;
        }
        ObjectNode merged = ((ObjectNode) live).deepCopy();
        for (var e : desired.properties()) {
            merged.set(e.getKey(), overlaid(merged.path(e.getKey()), e.getValue()));
        }
        return merged;
    }

    private static void delete(KubernetesClient client, String namespace, HasMetadata object) {
        at(address(object), () -> client.resource(object).inNamespace(namespace).delete());
    }

    private static Map<String, OutputRef> outputs(Path work, Manifests manifests) {
        Path file = work.resolve(OUTPUTS);
        Map<String, OutputRef> refs = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return refs;
        }
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (IOException | JacksonException e) {
            throw new DriverFailure(OUTPUTS + " is not valid YAML: " + e.getMessage(), false);
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return refs;
        }
        if (!tree.isObject()) {
            throw new DriverFailure(OUTPUTS + " must map output names to {kind, name, path}", false);
        }
        for (var e : tree.properties()) {
            JsonNode ref = e.getValue();
            String kind = ref.path("kind").asString("");
            String name = ref.path("name").asString("");
            String path = ref.path("path").asString("");
            if (kind.isEmpty() || name.isEmpty() || path.isEmpty()) {
                throw new DriverFailure(OUTPUTS + ": output " + e.getKey() + " needs kind, name and path", false);
            }
            String pointer = path.startsWith("/") ? path : "/" + String.join("/", Stream.of(path.split("\\."))
                    .map(s -> s.replace("~", "~0").replace("/", "~1")).toList());
            refs.put(e.getKey(), new OutputRef(kind, name, pointer));
        }
        return refs;
    }

    private static ObjectNode read(KubernetesClient client, Manifests manifests, List<Target> targets,
            Map<String, OutputRef> refs, LineSink log) {
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        for (var e : refs.entrySet()) {
            OutputRef ref = e.getValue();
            Target t = targets.stream().filter(x -> x.address().equals(ref.kind() + "/" + ref.name())).findFirst()
                    .orElseThrow(() -> new DriverFailure(OUTPUTS + ": output " + e.getKey() + " names "
                            + ref.kind() + "/" + ref.name() + ", which the manifests do not hold", false));
            HasMetadata live = at(t.address(), () -> client.resource(t.object()).inNamespace(manifests.namespace())
                    .get());
            JsonNode value = live == null ? JsonNodeFactory.instance.missingNode()
                    : JSON.readTree(KUBE.asJson(live)).at(ref.pointer());
            if (value.isMissingNode()) {
                // a load balancer's address, say, may come later; the output says it is not known yet
                log.line("stdout", "warn", "output " + e.getKey() + ": " + t.address() + " has no " + ref.pointer());
                outputs.putNull(e.getKey());
            }
            else {
                outputs.set(e.getKey(), value);
            }
        }
        return outputs;
    }

    private final CloudAccountCredentials accounts;

    KubernetesDriver(CloudAccountCredentials accounts) {
        this.accounts = accounts;
    }

    /**
     * A client for the account's API server alone: no kubeconfig or environment of Canopy's own server, and only an
     * address the installation lets Canopy connect to.
     */
    private KubernetesClient client(Map<String, String> env) {
        String server = env.get("CANOPY_SETTING_API_SERVER");
        Config config;
        String kubeconfig = env.get("CANOPY_CREDENTIAL_KUBECONFIG");
        if (kubeconfig != null) {
            config = Config.fromKubeconfig(kubeconfig);
            if (server != null) {
                config.setMasterUrl(server);
            }
        }
        else {
            if (server == null || env.get("CANOPY_CREDENTIAL_TOKEN") == null) {
                throw new DriverFailure("The Kubernetes cloud account needs api_server and a token, or a kubeconfig",
                        false);
            }
            ConfigBuilder builder = new ConfigBuilder(Config.empty()).withMasterUrl(server)
                    .withOauthToken(env.get("CANOPY_CREDENTIAL_TOKEN"));
            String ca = env.get("CANOPY_CREDENTIAL_CA_CERT");
            if (ca != null) {
                builder.withCaCertData(Base64.getEncoder().encodeToString(ca.getBytes(StandardCharsets.UTF_8)));
            }
            config = builder.build();
        }
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        config.setUploadRequestTimeout(30_000);
        config.setRequestRetryBackoffLimit(0);
        config.setHttpProxy(null);
        config.setHttpsProxy(null);
        accounts.refusal(java.net.URI.create(config.getMasterUrl())).ifPresent(why -> {
            throw new DriverFailure("The account's API server is not one Canopy may connect to: " + why, false);
        });
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private interface Call<T> {
        T call();
    }

    private static <T> T guarded(Call<T> work) {
        try {
            return work.call();
        }
        catch (KubernetesClientException e) {
            throw failure("", e);
        }
    }

    /** Calls the API server about one object; its refusal becomes a failure naming the object. */
    private static <T> T at(String address, Call<T> call) {
        try {
            return call.call();
        }
        catch (KubernetesClientException e) {
            throw failure(address + ": ", e);
        }
    }

    private static DriverFailure failure(String prefix, KubernetesClientException e) {
        int code = e.getCode();
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        if (code <= 0) {
            // no HTTP answer at all (fabric8 says -1 or 0): refused, reset or timed out connections may pass later
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            while (cause.getCause() != null && cause.getMessage() == null) {
                cause = cause.getCause();
            }
            return new DriverFailure(prefix + "cannot reach the API server: " + (cause.getMessage() != null
                    ? cause.getMessage() : cause.getClass().getSimpleName()), true);
        }
        // a 4xx is the request's own fault and fails the same way next time; 408, 429 and 5xx may pass later
        boolean retryable = code >= 500 || code == 408 || code == 429;
        return new DriverFailure(prefix + "the API server answered HTTP " + code + ": " + message, retryable);
    }

    private static void checkCanceled(DriverRun run) {
        if (run.cancel().raised()) {
            throw new DriverFailure.Canceled();
        }
    }

    static String address(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }
}
