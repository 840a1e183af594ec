package dev.canopy.identity.sso;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.console.FormErrors;

/**
 * The SSO settings form as posted, with inputs named as the API's fields. Lists are typed as text (scopes and
 * e-mail domains separated by spaces or commas, groups one per line, the group mapping one {@code group=role}
 * per line). The client secret is only passed on: {@link #toString()} and the page never show it.
 */
public record SsoSettingsForm(String preset, @Nullable String issuer, @Nullable String directory, @Nullable String clientId,
        @Nullable String clientSecret, String scopes, @Nullable String groupsClaim, @Nullable String emailClaim,
        String authMode, boolean provisioningEnabled, String defaultRole, String allowedEmailDomains,
        String allowedGroups, String groupRoleMapping, boolean syncAttributesOnLogin) {

    /** A role a provisioned member can be given, as the form offers it. */
    public record RoleChoice(String key, String label) {
    }

    /** One finding of checking the configuration with the provider. */
    public record CheckView(String name, boolean ok, String detail) {
    }

    /** Longest list text a form may send (the API takes at most 100-200 entries of a few hundred characters). */
    static final int MAX_LIST_TEXT = 50_000;

    static SsoSettingsForm empty() {
        return new SsoSettingsForm("generic", null, null, null, null, "", null, null, "both", false,
                AutoProvisioning.DEFAULT_ROLE, "", "", "", true);
    }

    static SsoSettingsForm of(SsoConfig c) {
        AutoProvisioning a = c.autoProvisioning();
        String directory = c.preset() == Preset.ENTRA_ID
                ? c.issuer().replaceFirst("^https://login\\.microsoftonline\\.com/", "").replaceFirst("/v2\\.0$", "")
                : null;
        return new SsoSettingsForm(c.preset().key(), c.preset() == Preset.ENTRA_ID ? null : c.issuer(), directory,
                c.clientId(), null, String.join(" ", c.scopes()), c.groupsClaim(), c.emailClaim(), c.authMode().key(),
                a.enabled(), a.defaultRole(), String.join(", ", a.allowedEmailDomains()),
                String.join("\n", a.allowedGroups()), a.groupRoleMapping().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")),
                a.syncAttributesOnLogin());
    }

    static SsoSettingsForm read(Map<String, String> fields) {
        return new SsoSettingsForm(fields.getOrDefault("preset", "generic"), text(fields, "issuer"),
                text(fields, "directory"), text(fields, "client_id"), secret(fields.get("client_secret")),
                fields.getOrDefault("scopes", ""), text(fields, "groups_claim"), text(fields, "email_claim"),
                fields.getOrDefault("auth_mode", ""), fields.containsKey("auto_provisioning.enabled"),
                fields.getOrDefault("auto_provisioning.default_role", AutoProvisioning.DEFAULT_ROLE),
                fields.getOrDefault("auto_provisioning.allowed_email_domains", ""),
                fields.getOrDefault("auto_provisioning.allowed_groups", ""),
                fields.getOrDefault("auto_provisioning.group_role_mapping", ""),
                fields.containsKey("auto_provisioning.sync_attributes_on_login"));
    }

    /** What the form's own syntax gets wrong; everything else is checked as the API checks it. */
    FormErrors problems() {
        var errors = new FormErrors();
        for (var list : Map.of("scopes", scopes, "auto_provisioning.allowed_email_domains", allowedEmailDomains,
                "auto_provisioning.allowed_groups", allowedGroups, "auto_provisioning.group_role_mapping",
                groupRoleMapping).entrySet()) {
            if (list.getValue().length() > MAX_LIST_TEXT) {
                errors.field(list.getKey(), "must be at most " + MAX_LIST_TEXT + " characters");
            }
        }
        if (!errors.has("auto_provisioning.group_role_mapping")
                && groupRoleMapping.lines().anyMatch(l -> !l.isBlank() && l.indexOf('=') <= 0)) {
            errors.field("auto_provisioning.group_role_mapping", "write one group=role per line");
        }
        return errors;
    }

    /** The API's request body this form stands for. */
    SsoConfigController.SsoConfigRequest request(@Nullable Long version) {
        var mapping = new LinkedHashMap<String, String>();
        groupRoleMapping.lines().filter(l -> !l.isBlank()).forEach(line -> {
            int eq = line.indexOf('=');
            mapping.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        });
        List<String> scopeList = words(scopes);
        return new SsoConfigController.SsoConfigRequest(preset, issuer, directory, clientId == null ? "" : clientId,
                clientSecret, scopeList.isEmpty() ? null : scopeList, groupsClaim, emailClaim, authMode,
                new SsoConfigController.AutoProvisioningRequest(provisioningEnabled, defaultRole,
                        words(allowedEmailDomains), allowedGroups.lines().map(String::strip).filter(l -> !l.isEmpty())
                                .toList(), mapping, syncAttributesOnLogin),
                version);
    }

    @Override
    public String toString() {
        return "SsoSettingsForm[" + preset + ", " + issuer + ", " + clientId + "]"; // never the client secret
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("[,\\s]+")).filter(w -> !w.isEmpty()).toList();
    }

    private static @Nullable String text(Map<String, String> fields, String name) {
        String value = fields.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** A secret as typed (only an empty field means "keep the current one"). */
    private static @Nullable String secret(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
