package dev.canopy.integration.internal.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.canopy.platform.StartupRefusedException;

/**
 * Where a webhook may point. A tenant names the URL, so a delivery could reach what only Canopy's server can: its
 * loopback, the private network, a cloud's metadata service. Those addresses are refused unless the installation
 * lists them in {@code canopy.webhooks.allowed-ranges} (the rule of the cloud module's account tests, with a setting
 * of its own). A URL is checked when it is saved and again before every connection: the host is resolved once and
 * the delivery connects to that address ({@link Destination}), so a name cannot answer a public address to the
 * check and an internal one to the connection (DNS rebinding).
 */
@Component
class WebhookAddresses {

    /** Resolves a host name; the JDK's resolver outside tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The address a delivery connects to, and the name it presents there (Host header, TLS server name). */
    record Destination(URI uri, String host, InetAddress address, int port) {
    }

    /** Why a URL may not be used; {@code kind} is stable: loopback, private, link-local, cloud metadata... */
    static final class Refused extends RuntimeException {

        private final String kind;

        Refused(String message, String kind) {
            super(message);
            this.kind = kind;
        }

        String kind() {
            return kind;
        }
    }

    private static final Cidr METADATA_V4 = Cidr.parse("169.254.169.254/32");
    private static final Cidr METADATA_V6 = Cidr.parse("fd00:ec2::254/128");
    private static final List<Cidr> UNSPECIFIED = List.of(Cidr.parse("0.0.0.0/8"), Cidr.parse("::/128"));
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    private static final List<Cidr> LINK_LOCAL = List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"));
    // 100.64/10 is the carrier-grade NAT range: as internal as 10/8 for a server inside a provider's network
    private static final List<Cidr> PRIVATE = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("fc00::/7"));
    private static final List<Cidr> MULTICAST = List.of(Cidr.parse("224.0.0.0/4"), Cidr.parse("255.255.255.255/32"),
            Cidr.parse("ff00::/8"));

    private final List<Cidr> allowed;
    private final Resolver resolver;

    @Autowired
    WebhookAddresses(@Value("${canopy.webhooks.allowed-ranges:}") String allowedRanges) {
        this(allowedRanges, InetAddress::getAllByName);
    }

    WebhookAddresses(String allowedRanges, Resolver resolver) {
        this.allowed = parse(allowedRanges);
        this.resolver = resolver;
    }

    /**
     * Resolves the URI's host once and answers the address to connect to, or refuses it: every address the name
     * has must be allowed, so a name with one public and one internal address is refused too.
     */
    Destination resolve(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Refused("The URL has no host.", "unresolvable");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        }
        catch (UnknownHostException | SecurityException e) {
            throw new Refused("Cannot resolve the host name " + bare + ".", "unresolvable");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("Cannot resolve the host name " + bare + ".", "unresolvable");
        }
        for (InetAddress address : addresses) {
            refusal(address).ifPresent(kind -> {
                throw new Refused("Canopy does not send webhooks to " + bare
                        + (bare.equals(address.getHostAddress()) ? "" : " (" + address.getHostAddress() + ")")
                        + ": a " + kind + " address. An installation may allow such ranges with "
                        + "CANOPY_WEBHOOKS_ALLOWED_RANGES.", kind);
            });
        }
        int port = uri.getPort() != -1 ? uri.getPort() : 443;
        return new Destination(uri, bare, addresses[0], port);
    }

    /** Why the address is refused, if it is. */
    Optional<String> refusal(InetAddress address) {
        if (allowed.stream().anyMatch(range -> range.contains(address))) {
            return Optional.empty();
        }
        if (METADATA_V4.contains(address) || METADATA_V6.contains(address)) {
            return Optional.of("cloud metadata");
        }
        if (in(UNSPECIFIED, address) || address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (in(LOOPBACK, address) || address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (in(LINK_LOCAL, address)) {
            return Optional.of("link-local");
        }
        if (in(PRIVATE, address) || address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (in(MULTICAST, address)) {
            return Optional.of("multicast");
        }
        return Optional.empty();
    }

    private static boolean in(List<Cidr> ranges, InetAddress address) {
        return ranges.stream().anyMatch(range -> range.contains(address));
    }

    private static List<Cidr> parse(String ranges) {
        return Arrays.stream(ranges.split("[,\\s]+"))
                .filter(range -> !range.isBlank())
                .map(range -> {
                    try {
                        return Cidr.parse(range);
                    }
                    catch (IllegalArgumentException e) {
                        throw new StartupRefusedException("canopy.webhooks.allowed-ranges has '" + range
                                + "', which is not a CIDR range (" + e.getMessage() + ")",
                                "Give ranges such as 10.0.0.0/8, 127.0.0.1/32 or fd00::/8, separated by commas.");
                    }
                })
                .toList();
    }

    /** An IPv4 or IPv6 range; an address without a prefix length is a range of one. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String[] parts = text.strip().split("/", 2);
            if (!parts[0].matches("[0-9a-fA-F:.]+")) {
                // a literal only: InetAddress would otherwise look a host name up
                throw new IllegalArgumentException("not an IP address");
            }
            byte[] network;
            try {
                network = InetAddress.getByName(parts[0]).getAddress();
            }
            catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address");
            }
            int prefix;
            try {
                prefix = parts.length == 1 ? network.length * 8 : Integer.parseInt(parts[1]);
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("the prefix length is not a number");
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("the prefix length is out of range");
            }
            return new Cidr(network, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[whole] & mask) == (network[whole] & mask);
        }
    }
}
