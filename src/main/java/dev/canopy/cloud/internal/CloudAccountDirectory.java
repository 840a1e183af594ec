package dev.canopy.cloud.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import tools.jackson.databind.json.JsonMapper;

/**
 * The use cases of cloud accounts: connecting, listing, changing, removing and testing them. Credentials are
 * sealed before they reach the database and opened only to test the account, which the audit record says.
 */
@Service
public class CloudAccountDirectory {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A partial change: null fields stay as they are. */
    public record Change(@Nullable String name, @Nullable Map<String, Object> settings, @Nullable String authType,
            @Nullable Map<String, Object> credentials, @Nullable List<String> environments,
            @Nullable Map<String, String> tags) {

        @Override
        public String toString() {
            return "Change[" + name + "]"; // never the credentials
        }
    }

    /** The outcome of a test, as stored on the account. */
    public record Tested(boolean ok, String detail, Instant testedAt) {
    }

    private final CloudAccounts accounts;
    private final TenantTransactions scopes;
    private final Secrets secrets;
    private final ProviderChecks checks;
    private final AuditTrail audit;

    CloudAccountDirectory(CloudAccounts accounts, TenantTransactions scopes, Secrets secrets, ProviderChecks checks,
            AuditTrail audit) {
        this.accounts = accounts;
        this.scopes = scopes;
        this.secrets = secrets;
        this.checks = checks;
        this.audit = audit;
    }

    public CloudAccount create(CanopyPrincipal by, AccountDraft draft) {
        AccountDraft.Checked checked = draft.check(false);
        UUID id = Ids.newId();
        UUID tenantId = by.tenantId();
        Instant now = Instant.now();
        var account = new CloudAccount(tenantId, id, checked.name(), checked.provider().key(), checked.authType(),
                checked.settings(), seal(tenantId, id, checked.credentials()), checked.hint(),
                checked.environments(), checked.tags(), null, null, null, by.userId(), now, now, 0);
        try {
            scopes.inTenant(tenantId, () -> accounts.insert(account));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(checked.name());
        }
        audit.resource("cloud_account", id.toString());
        audit.detail("provider", account.provider());
        audit.detail("auth_type", account.authType());
        return get(tenantId, id);
    }

    public CloudAccount get(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> accounts.find(tenantId, id)).orElseThrow(() -> notFound(id));
    }

    public Page<CloudAccount> list(UUID tenantId, @Nullable String provider, PageRequest page) {
        if (provider != null && !provider.isBlank() && Provider.of(provider).isEmpty()) {
            throw ApiException.invalidField("provider", "must be one of " + String.join(", ", Provider.keys()));
        }
        String filter = provider == null || provider.isBlank() ? null : provider;
        return page.page(scopes.inTenant(tenantId, () -> accounts.list(tenantId, filter, page.after(),
                page.fetchSize())), CloudAccount::id);
    }

    public CloudAccount update(CanopyPrincipal by, UUID id, Change change, long version) {
        UUID tenantId = by.tenantId();
        CloudAccount current = get(tenantId, id);
        String authType = change.authType() != null ? change.authType() : current.authType();
        var draft = new AccountDraft(change.name() != null ? change.name() : current.name(), current.provider(),
                change.settings() != null ? change.settings() : new LinkedHashMap<>(current.settings()), authType,
                change.credentials(), change.environments() != null ? change.environments() : current.environments(),
                change.tags() != null ? change.tags() : current.tags());
        // credentials may stay as they are only while the authentication type does
        AccountDraft.Checked checked = draft.check(authType.equals(current.authType()));
        boolean newCredentials = checked.credentials() != null;
        var updated = new CloudAccount(tenantId, id, checked.name(), current.provider(), checked.authType(),
                checked.settings(), newCredentials ? seal(tenantId, id, checked.credentials())
                        : current.sealedCredentials(),
                newCredentials ? checked.hint() : current.credentialsHint(), checked.environments(), checked.tags(),
                current.lastTestAt(), current.lastTestOk(), current.lastTestDetail(), current.createdBy(),
                current.createdAt(), Instant.now(), version);
        boolean written;
        try {
            written = scopes.inTenant(tenantId, () -> accounts.update(updated, version));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(checked.name());
        }
        if (!written) {
            throw ApiException.conflict("VERSION_CONFLICT", "The cloud account was changed by someone else; reload it.");
        }
        // detail keys must not look secret ("credential..."), or the redactor hides their values
        audit.detail("replaced", newCredentials ? List.of("credentials") : List.of());
        return get(tenantId, id);
    }

    public void delete(UUID tenantId, UUID id) {
        if (!scopes.inTenant(tenantId, () -> accounts.delete(tenantId, id))) {
            throw notFound(id);
        }
    }

    /**
     * Opens the credentials (recorded in the request's audit record) and checks them against the provider. The
     * check waits on the network for up to 10 s, so it holds no transaction: the account is read and opened in
     * one, the result recorded in another. Its handlers are {@code @Audited(requestTransaction = false)}.
     */
    public Tested test(UUID tenantId, UUID id) {
        record Opened(CloudAccount account, Map<String, Object> credentials) {

            @Override
            public String toString() {
                return "Opened[" + account.id() + "]"; // never the credentials
            }
        }
        Opened opened = scopes.inTenant(tenantId, () -> {
            CloudAccount account = accounts.find(tenantId, id).orElseThrow(() -> notFound(id));
            return new Opened(account, open(account));
        });
        CloudAccount account = opened.account();
        audit.detail("decrypted", "credentials");
        audit.detail("provider", account.provider());
        CheckResult result = checks.check(Provider.of(account.provider()).orElseThrow(), account.authType(),
                account.settings(), opened.credentials());
        scopes.inTenant(tenantId, () -> accounts.recordTest(tenantId, id, result.ok(), result.detail()));
        audit.detail("ok", result.ok());
        return new Tested(result.ok(), result.detail(), Instant.now());
    }

    /** How many cloud accounts the tenant has (the dashboard's tile). */
    public long count(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> accounts.count(tenantId));
    }

    public static SecretBinding binding(UUID tenantId, UUID id) {
        return SecretBinding.tenant(tenantId, CloudAccounts.TABLE, id.toString());
    }

    private byte[] seal(UUID tenantId, UUID id, Map<String, Object> credentials) {
        return secrets.sealText(binding(tenantId, id), JSON.writeValueAsString(credentials));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> open(CloudAccount account) {
        return JSON.readValue(secrets.openText(binding(account.tenantId(), account.id()), account.sealedCredentials()),
                Map.class);
    }

    private static ApiException notFound(UUID id) {
        return ApiException.notFound("CLOUD_ACCOUNT_NOT_FOUND", "No cloud account " + id + " in this tenant.");
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("CLOUD_ACCOUNT_NAME_TAKEN", "This tenant already has a cloud account named '"
                + name + "'.");
    }
}
