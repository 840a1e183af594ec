package dev.canopy.cloud.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.cloud.internal.CloudAccount;
import dev.canopy.cloud.internal.ProviderForms;

/** A cloud account as pages show it: never its credentials, only their masked hint. */
public record AccountSummary(UUID id, String name, String provider, String providerLabel, String authType,
        String authLabel, Map<String, String> settings, String credentialsHint, List<String> environments,
        Map<String, String> tags, @Nullable Instant lastTestAt, @Nullable Boolean lastTestOk,
        @Nullable String lastTestDetail, Instant createdAt, Instant updatedAt, long version) {

    static AccountSummary of(CloudAccount a) {
        var provider = ProviderForms.of(a.provider()).orElseThrow();
        return new AccountSummary(a.id(), a.name(), a.provider(), provider.label(), a.authType(),
                provider.authType(a.authType()).map(ProviderForms.AuthType::label).orElse(a.authType()),
                a.settings(), a.credentialsHint(), a.environments(), a.tags(), a.lastTestAt(), a.lastTestOk(),
                a.lastTestDetail(), a.createdAt(), a.updatedAt(), a.version());
    }
}
