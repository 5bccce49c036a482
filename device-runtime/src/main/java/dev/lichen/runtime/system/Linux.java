package dev.lichen.runtime.system;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.io.IOException;

/**
 * The few Linux system calls an init needs, called through the FFM API on the C library: no
 * native code of Lichen's own, no JNI. Each failure carries errno. 64-bit Linux only (aarch64 on
 * the boards, x86_64 where tests run).
 */
public final class Linux {
    public static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_NOATIME = 1024;
    public static final int RB_AUTOBOOT = 0x01234567, RB_POWER_OFF = 0x4321fedc;
    public static final int AF_INET = 2, SOCK_DGRAM = 2;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long SIOCADDRT = 0x890B, SIOCSIFFLAGS = 0x8914, SIOCGIFFLAGS = 0x8913,
            SIOCSIFADDR = 0x8916, SIOCSIFNETMASK = 0x891C, SIOCGIFHWADDR = 0x8927;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    /**
     * Every call below goes through ONE downcall handle, libc's syscall(2) with six long
     * arguments (pointers as addresses): each handle the linker makes costs a generated class and
     * its method handles, ~0.1-0.2 s of a boot under emulation, and an init needs a dozen calls.
     */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG, LONG), ERRNO_OPT, Linker.Option.firstVariadicArg(1));
    private static final long AT_FDCWD = -100;
    private static final long REBOOT_MAGIC1 = 0xfee1deadL, REBOOT_MAGIC2 = 0x28121969L;

    /** System call numbers: aarch64 (the boards; the kernel's generic table) and x86_64 (where the tests run). */
    private enum Nr {
        IOCTL(29, 16), UMOUNT2(39, 166), MOUNT(40, 165), OPENAT(56, 257), CLOSE(57, 3), LSEEK(62, 8), SYNC(81, 162),
        INIT_MODULE(105, 175), CLOCK_SETTIME(112, 227), REBOOT(142, 169), UMASK(166, 95), SOCKET(198, 41), SETNS(268, 308);

        final long number;

        Nr(long aarch64, long x86_64) {
            this.number = switch (System.getProperty("os.arch")) {
                case "aarch64" -> aarch64;
                case "amd64", "x86_64" -> x86_64;
                default -> -1; // refused by call()
            };
        }
    }

    private Linux() {}

    /** A system call failed; errno says why. */
    public static final class SyscallException extends IOException {
        private final int errno;

        SyscallException(String call, int errno) {
            super(call + " failed: errno " + errno + " (" + Errno.name(errno) + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** syscall(2) with up to five arguments (the rest zero); the result, or -1 with errno in {@code state}. */
    private static long raw(MemorySegment state, Nr nr, long a, long b, long c, long d, long e) {
        if (nr.number < 0) throw new UnsupportedOperationException("Linux system calls on " + System.getProperty("os.arch"));
        try {
            return (long) SYSCALL.invokeExact(state, nr.number, a, b, c, d, e, 0L);
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error err) throw err;
            throw new IllegalStateException(t);
        }
    }

    /** The call, or a {@link SyscallException} naming {@code what} and errno. */
    private static long call(String what, Nr nr, long a, long b, long c, long d, long e) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            long rc = raw(st, nr, a, b, c, d, e);
            if (rc < 0) throw new SyscallException(what, (int) ERRNO.get(st, 0L));
            return rc;
        }
    }

    public static void mount(String source, String target, String type, long flags, String data) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            long options = data == null ? 0 : a.allocateFrom(data).address();
            call("mount " + type + " on " + target, Nr.MOUNT, a.allocateFrom(source).address(), a.allocateFrom(target).address(),
                    a.allocateFrom(type).address(), flags, options);
        }
    }

    public static void umount(String target) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            call("umount " + target, Nr.UMOUNT2, a.allocateFrom(target).address(), 0, 0, 0, 0);
        }
    }

    /** Loads a kernel module from its (uncompressed) ELF bytes: init_module(2). */
    public static void initModule(byte[] image, String params) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length, 16);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            call("init_module", Nr.INIT_MODULE, img.address(), image.length, a.allocateFrom(params).address(), 0, 0);
        }
    }

    public static void sync() {
        try {
            call("sync", Nr.SYNC, 0, 0, 0, 0, 0);
        } catch (SyscallException e) {
            throw new IllegalStateException(e); // sync(2) cannot fail
        }
    }

    /** umask(2): sets the mode bits new files and folders of this process leave out; returns the old mask. */
    public static int umask(int mask) {
        try {
            return (int) call("umask", Nr.UMASK, mask, 0, 0, 0, 0);
        } catch (SyscallException e) {
            throw new IllegalStateException(e); // umask(2) cannot fail
        }
    }

    /** reboot(2): RB_AUTOBOOT or RB_POWER_OFF. Does not return when it works. */
    public static void reboot(int how) throws SyscallException {
        call("reboot", Nr.REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, how, 0, 0);
    }

    public static void setClock(long epochMillis) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16, 8);
            ts.set(LONG, 0, Math.floorDiv(epochMillis, 1000));
            ts.set(LONG, 8, Math.floorMod(epochMillis, 1000) * 1_000_000L);
            call("clock_settime", Nr.CLOCK_SETTIME, 0 /* CLOCK_REALTIME */, ts.address(), 0, 0, 0);
        }
    }

    /** An AF_INET datagram socket, the handle the network ioctls go through. */
    public static int inetSocket() throws SyscallException {
        return (int) call("socket", Nr.SOCKET, AF_INET, SOCK_DGRAM, 0, 0, 0);
    }

    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            raw(a.allocate(CAPTURE), Nr.CLOSE, fd, 0, 0, 0, 0); // nothing to do about a failed close
        }
    }

    /**
     * setns(2): moves the calling OS thread into the namespace behind fd (e.g. CLONE_NEWNET with an
     * fd of /run/netns/NAME). Only that thread moves: call it from a platform thread, never a
     * virtual one (which may continue on another carrier).
     */
    public static void setns(int fd, int nstype) throws SyscallException {
        call("setns", Nr.SETNS, fd, nstype, 0, 0, 0);
    }

    /** open(2) read-only; close the descriptor with {@link #close(int)}. */
    public static int openReadOnly(String path) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            return (int) call("open " + path, Nr.OPENAT, AT_FDCWD, a.allocateFrom(path).address(), 0 /* O_RDONLY */, 0, 0);
        }
    }

    /**
     * The regions of a file that hold data, as [start, end) pairs, found with lseek SEEK_DATA and
     * SEEK_HOLE; the rest are holes (never written, read as zeros).
     */
    public static java.util.List<long[]> dataRegions(String path, long size) throws SyscallException {
        int fd = openReadOnly(path);
        try (Arena a = Arena.ofConfined()) {
            java.util.List<long[]> out = new java.util.ArrayList<>();
            MemorySegment st = a.allocate(CAPTURE);
            long pos = 0;
            while (pos < size) {
                long data = raw(st, Nr.LSEEK, fd, pos, 3 /* SEEK_DATA */, 0, 0);
                if (data < 0) {
                    int errno = (int) ERRNO.get(st, 0L);
                    if (errno == 6) break; // ENXIO: no data after pos
                    throw new SyscallException("lseek SEEK_DATA " + path, errno);
                }
                long hole = call("lseek SEEK_HOLE " + path, Nr.LSEEK, fd, data, 4 /* SEEK_HOLE */, 0, 0);
                out.add(new long[] {data, Math.min(hole, size)});
                pos = hole;
            }
            return out;
        } finally {
            close(fd);
        }
    }

    public static void ioctl(int fd, long request, MemorySegment arg, String what) throws SyscallException {
        call(what, Nr.IOCTL, fd, request, arg.address(), 0, 0);
    }
}
