package dev.canopy.audit.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.audit.Actor;
import dev.canopy.platform.web.Audited;

/** What is known about the current request for its audit record, gathered while it runs. */
public final class RequestAudit {

    public static final String ATTRIBUTE = RequestAudit.class.getName();

    /** Where additions go outside an audited request: nowhere. */
    public static final RequestAudit DISCARDED = new RequestAudit();

    @Nullable Audited audited;
    @Nullable String action;
    @Nullable String resourceType;
    @Nullable String resourceId;
    @Nullable UUID tenantId;
    @Nullable Actor actor;
    final Map<String, Object> details = new LinkedHashMap<>();

    public void handledAs(@Nullable Audited audited) {
        this.audited = audited;
    }

    public void action(String action) {
        this.action = action;
    }

    public void resource(String type, String id) {
        this.resourceType = type;
        this.resourceId = id;
    }

    public void actor(UUID tenantId, Actor actor) {
        this.tenantId = tenantId;
        this.actor = actor;
    }

    public void detail(String key, @Nullable Object value) {
        details.put(key, value);
    }
}
