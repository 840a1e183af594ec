package dev.canopy.secrets;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a ciphertext belongs to: its owner (a tenant, or {@link #PLATFORM}), the table it is stored in and
 * the record's id there. It is the associated data of the encryption, so a ciphertext moved to another
 * tenant, table or record does not open.
 */
public record SecretBinding(UUID ownerId, String table, String recordId) {

    /** Owner id of the platform's own secrets (signing keys, TOTP secrets): the nil UUID. */
    public static final UUID PLATFORM = new UUID(0, 0);

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");
    private static final int MAX_RECORD_ID = 200;

    public SecretBinding {
        if (ownerId == null || table == null || recordId == null) {
            throw new IllegalArgumentException("A secret binding needs an owner, a table and a record id");
        }
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("A secret binding's table must be a lower-case SQL name: " + table);
        }
        if (recordId.isBlank() || recordId.length() > MAX_RECORD_ID) {
            throw new IllegalArgumentException("A secret binding's record id must be 1 to 200 characters");
        }
    }

    /** A secret of the platform itself, e.g. {@code platform("platform.signing_keys", kid)}. */
    public static SecretBinding platform(String table, String recordId) {
        return new SecretBinding(PLATFORM, table, recordId);
    }

    /** A secret of one tenant, e.g. {@code tenant(tenantId, "tenant.cloud_accounts", id.toString())}. */
    public static SecretBinding tenant(UUID tenantId, String table, String recordId) {
        if (PLATFORM.equals(tenantId)) {
            throw new IllegalArgumentException("The nil UUID is the platform's owner id, not a tenant's");
        }
        return new SecretBinding(tenantId, table, recordId);
    }

    /** Whether this is a secret of the platform rather than of a tenant. */
    public boolean isPlatform() {
        return PLATFORM.equals(ownerId);
    }
}
