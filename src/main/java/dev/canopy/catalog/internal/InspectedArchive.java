package dev.canopy.catalog.internal;

import java.util.List;

/** An archive that passed every check: its files, its manifest's bytes and how much it unpacks to. */
public record InspectedArchive(List<ArchiveFile> files, byte[] manifest, long unpackedBytes) {

    /** One file of an archive, as the versions API lists it. */
    public record ArchiveFile(String path, long size) {
    }
}
