package dev.canopy.audit.internal;

import java.security.MessageDigest;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A walk along a chain in order, from an anchor: each event must be at the next position, link to its
 * predecessor's hash, and carry the hash its content gives. The walk stops at the first event that does not.
 */
final class ChainWalk {

    private long expectedSeq;
    private byte[] prevHash;
    private long checked;
    private @Nullable UUID broken;
    private @Nullable UUID lastId;

    ChainWalk(AuditEvents.Anchor anchor) {
        restartFrom(anchor);
    }

    /** Starts over from another anchor, before the first event. */
    void restartFrom(AuditEvents.Anchor anchor) {
        expectedSeq = anchor.seq() + 1;
        prevHash = anchor.hash();
    }

    /** Checks the next event; false when it breaks the chain (the walk then stops). */
    boolean accept(ChainedEvent event) {
        checked++;
        lastId = event.id();
        if (event.seq() != expectedSeq || !MessageDigest.isEqual(event.prevHash(), prevHash) || !intact(event)) {
            broken = event.id();
            return false;
        }
        expectedSeq++;
        prevHash = event.hash();
        return true;
    }

    /** Whether the event's hash matches its content; content that cannot even be read again does not. */
    private static boolean intact(ChainedEvent event) {
        try {
            return event.intact();
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the walk, unbroken, ended exactly at the given position and hash. */
    boolean endsAt(long seq, byte[] hash) {
        return broken == null && expectedSeq - 1 == seq && MessageDigest.isEqual(prevHash, hash);
    }

    long expectedSeq() {
        return expectedSeq;
    }

    /** The hash of the last event accepted (or the anchor's). */
    byte[] lastHash() {
        return prevHash;
    }

    long checked() {
        return checked;
    }

    @Nullable UUID broken() {
        return broken;
    }

    @Nullable UUID lastId() {
        return lastId;
    }
}
