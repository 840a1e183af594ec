package dev.canopy.platform.db;

/** Connection details for the schema owner (migrations) and the runtime role (everything else). */
record DatabaseEndpoint(String url, String ownerUser, String ownerPassword, String appUser, String appPassword) {
}
