package dev.canopy.platform.web;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** One page of a list: {@code {"items": [...], "next_cursor": "..."|null}}. */
public record Page<T>(List<T> items, @Nullable String nextCursor) {
}
