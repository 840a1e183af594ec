package dev.canopy.platform.web;

import java.io.IOException;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.AntPathMatcher;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses API request bodies over the limit with 413: at once when {@code Content-Length} says so,
 * else when a streamed body crosses the limit while being read. Multipart uploads to the paths listed in
 * {@code canopy.api.upload-paths} (template archives) have the larger {@code canopy.api.max-upload}; the
 * multipart parser's own limits (Spring's {@code spring.servlet.multipart.*}) bound them while streamed. Webhooks
 * received from other systems ({@code canopy.api.hook-paths}, GitHub's) may be as large as {@code canopy.api.max-hook-body}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class RequestBodyLimit extends OncePerRequestFilter {

    private final long maxBytes;
    private final long maxUploadBytes;
    private final List<String> uploadPaths;
    private final long maxHookBytes;
    private final List<String> hookPaths;
    private final Problems problems;
    private final ApplicationEventPublisher events;
    private final AntPathMatcher paths = new AntPathMatcher();

    RequestBodyLimit(@Value("${canopy.api.max-body-bytes}") long maxBytes,
            @Value("${canopy.api.max-upload}") DataSize maxUpload,
            @Value("${canopy.api.upload-paths}") List<String> uploadPaths,
            @Value("${canopy.api.max-hook-body}") DataSize maxHookBody,
            @Value("${canopy.api.hook-paths}") List<String> hookPaths, Problems problems,
            ApplicationEventPublisher events) {
        this.maxHookBytes = maxHookBody.toBytes();
        this.hookPaths = hookPaths;
        this.events = events;
        this.maxBytes = maxBytes;
        this.maxUploadBytes = maxUpload.toBytes();
        this.uploadPaths = uploadPaths;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = isUpload(request) ? maxUploadBytes : isHook(request) ? maxHookBytes : maxBytes;
        if (request.getContentLengthLong() > limit) {
            // refused before the audited part of the chain: counted per source and minute instead
            events.publishEvent(RequestRefused.of(RequestRefused.Kind.BODY_TOO_LARGE, request,
                    HttpStatus.CONTENT_TOO_LARGE.value(), "PAYLOAD_TOO_LARGE"));
            problems.write(response, problems.of(HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "The request body is larger than " + limit + " bytes.", request));
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    private boolean isUpload(HttpServletRequest request) {
        String type = request.getContentType();
        return "POST".equals(request.getMethod()) && type != null
                && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")
                && uploadPaths.stream().anyMatch(pattern -> paths.match(pattern, request.getRequestURI()));
    }

    private boolean isHook(HttpServletRequest request) {
        return "POST".equals(request.getMethod())
                && hookPaths.stream().anyMatch(pattern -> paths.match(pattern, request.getRequestURI()));
    }

    /** Raised while reading a streamed body that grows past the limit. */
    static class BodyTooLargeException extends IOException {

        BodyTooLargeException(long maxBytes) {
            super("The request body is larger than " + maxBytes + " bytes.");
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }
    }

    private static final class LimitedStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long maxBytes;
        private long read;

        LimitedStream(ServletInputStream delegate, long maxBytes) {
            this.delegate = delegate;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
