package dev.lichen.runtime.system;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;

/**
 * Brings a Linux network interface up and gives it an IPv4 address, mask and default route,
 * with the classic SIOC* ioctls on a datagram socket (what ifconfig/route do): a handful of
 * fixed-layout structs, simpler here than netlink messages.
 */
public final class Ipv4Interface {
    private static final short IFF_UP = 0x1;
    private static final short RTF_UP = 0x1, RTF_GATEWAY = 0x2, RTF_HOST = 0x4;
    private static final int IFREQ = 40, RTENTRY = 120;

    private final String name;

    public Ipv4Interface(String name) {
        if (name.isEmpty() || name.length() > 15) throw new IllegalArgumentException("bad interface name " + name);
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void up() throws Linux.SyscallException {
        withSocket((fd, a) -> {
            MemorySegment req = ifreq(a);
            Linux.ioctl(fd, Linux.SIOCGIFFLAGS, req, "SIOCGIFFLAGS " + name);
            req.set(ValueLayout.JAVA_SHORT, 16, (short) (req.get(ValueLayout.JAVA_SHORT, 16) | IFF_UP));
            Linux.ioctl(fd, Linux.SIOCSIFFLAGS, req, "SIOCSIFFLAGS " + name);
        });
    }

    public byte[] hardwareAddress() throws Linux.SyscallException {
        byte[] mac = new byte[6];
        withSocket((fd, a) -> {
            MemorySegment req = ifreq(a);
            Linux.ioctl(fd, Linux.SIOCGIFHWADDR, req, "SIOCGIFHWADDR " + name);
            MemorySegment.copy(req, ValueLayout.JAVA_BYTE, 18, mac, 0, 6);
        });
        return mac;
    }

    public void address(Inet4Address address, int prefixLength) throws Linux.SyscallException {
        withSocket((fd, a) -> {
            MemorySegment req = ifreq(a);
            sockaddr(req, 16, address.getAddress());
            Linux.ioctl(fd, Linux.SIOCSIFADDR, req, "SIOCSIFADDR " + name);
            MemorySegment mask = ifreq(a);
            sockaddr(mask, 16, maskBytes(prefixLength));
            Linux.ioctl(fd, Linux.SIOCSIFNETMASK, mask, "SIOCSIFNETMASK " + name);
        });
    }

    /** The default route through the gateway. */
    public void defaultRoute(Inet4Address gateway) throws Linux.SyscallException {
        route(new byte[4], new byte[4], gateway.getAddress(), (short) (RTF_UP | RTF_GATEWAY));
    }

    /** A host route for 255.255.255.255 on this interface, so a DHCP client may broadcast before it has an address. */
    public void broadcastRoute() throws Linux.SyscallException {
        byte[] all = {-1, -1, -1, -1};
        route(all, all, new byte[4], (short) (RTF_UP | RTF_HOST));
    }

    private void route(byte[] dst, byte[] mask, byte[] gateway, short flags) throws Linux.SyscallException {
        withSocket((fd, a) -> {
            MemorySegment rt = a.allocate(RTENTRY, 8);
            sockaddr(rt, 8, dst);
            sockaddr(rt, 24, gateway);
            sockaddr(rt, 40, mask);
            rt.set(ValueLayout.JAVA_SHORT, 56, flags);
            rt.set(ValueLayout.ADDRESS, 88, a.allocateFrom(name));
            try {
                Linux.ioctl(fd, Linux.SIOCADDRT, rt, "SIOCADDRT on " + name);
            } catch (Linux.SyscallException e) {
                if (e.errno() != 17) throw e; // EEXIST: already there, as wanted
            }
        });
    }

    static byte[] maskBytes(int prefix) {
        int m = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new byte[] {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m};
    }

    private MemorySegment ifreq(Arena a) {
        MemorySegment req = a.allocate(IFREQ, 8);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(n, 0, req, ValueLayout.JAVA_BYTE, 0, n.length);
        return req;
    }

    private static void sockaddr(MemorySegment s, long at, byte[] ipv4) {
        s.set(ValueLayout.JAVA_SHORT, at, (short) Linux.AF_INET);
        MemorySegment.copy(ipv4, 0, s, ValueLayout.JAVA_BYTE, at + 4, 4);
    }

    private interface SocketWork {
        void run(int fd, Arena a) throws Linux.SyscallException;
    }

    private static void withSocket(SocketWork work) throws Linux.SyscallException {
        int fd = Linux.inetSocket();
        try (Arena a = Arena.ofConfined()) {
            work.run(fd, a);
        } finally {
            Linux.close(fd);
        }
    }
}
