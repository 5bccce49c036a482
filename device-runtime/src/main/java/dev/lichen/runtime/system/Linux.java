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
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    // made on first use: each downcall handle costs a generated class (~0.1-0.2 s of a boot under
    // emulation), and a boot needs only some of them (no lseek, setns, umask...)
    private static final Downcall MOUNT = new Downcall("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR), true);
    private static final Downcall UMOUNT2 = new Downcall("umount2", FunctionDescriptor.of(INT, PTR, INT), true);
    private static final Downcall REBOOT = new Downcall("reboot", FunctionDescriptor.of(INT, INT), true);
    private static final Downcall SYNC = new Downcall("sync", FunctionDescriptor.ofVoid(), false);
    private static final Downcall UMASK = new Downcall("umask", FunctionDescriptor.of(INT, INT), false);
    private static final Downcall SOCKET = new Downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT), true);
    private static final Downcall CLOSE = new Downcall("close", FunctionDescriptor.of(INT, INT), true);
    private static final Downcall IOCTL = new Downcall("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR), true, Linker.Option.firstVariadicArg(2));
    private static final Downcall OPEN = new Downcall("open", FunctionDescriptor.of(INT, PTR, INT, INT), true, Linker.Option.firstVariadicArg(2));
    private static final Downcall LSEEK = new Downcall("lseek", FunctionDescriptor.of(LONG, INT, LONG, INT), true);
    private static final Downcall SETNS = new Downcall("setns", FunctionDescriptor.of(INT, INT, INT), true);
    private static final Downcall CLOCK_SETTIME = new Downcall("clock_settime", FunctionDescriptor.of(INT, INT, PTR), true);
    private static final Downcall SYSCALL3 = new Downcall("syscall", FunctionDescriptor.of(LONG, LONG, PTR, LONG, PTR), true,
            Linker.Option.firstVariadicArg(1));

    private Linux() {}

    /** A C library function's downcall handle, linked on first use; with errno captured when asked. */
    private static final class Downcall {
        private final String name;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Downcall(String name, FunctionDescriptor descriptor, boolean errno, Linker.Option... extra) {
            this.name = name;
            this.descriptor = descriptor;
            this.options = new Linker.Option[extra.length + (errno ? 1 : 0)];
            if (errno) options[0] = ERRNO_OPT;
            System.arraycopy(extra, 0, options, options.length - extra.length, extra.length);
        }

        MethodHandle get() {
            MethodHandle h = handle;
            if (h == null) handle = h = LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
            return h;
        }
    }

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

    private static long check(String call, long rc, MemorySegment state) throws SyscallException {
        if (rc < 0) throw new SyscallException(call, (int) ERRNO.get(state, 0L));
        return rc;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static void mount(String source, String target, String type, long flags, String data) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment options = data == null ? MemorySegment.NULL : a.allocateFrom(data);
            int rc = (int) MOUNT.get().invokeExact(st, a.allocateFrom(source), a.allocateFrom(target), a.allocateFrom(type), flags,
                    options);
            check("mount " + type + " on " + target, rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void umount(String target) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int rc = (int) UMOUNT2.get().invokeExact(st, a.allocateFrom(target), 0);
            check("umount " + target, rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Loads a kernel module from its (uncompressed) ELF bytes: init_module(2). */
    public static void initModule(byte[] image, String params) throws SyscallException {
        long nr = switch (System.getProperty("os.arch")) {
            case "aarch64" -> 105;
            case "amd64", "x86_64" -> 175;
            default -> throw new UnsupportedOperationException("init_module on " + System.getProperty("os.arch"));
        };
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment img = a.allocate(image.length, 16);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            long rc = (long) SYSCALL3.get().invokeExact(st, nr, img, (long) image.length, a.allocateFrom(params));
            check("init_module", rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void sync() {
        try {
            SYNC.get().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** umask(2): sets the mode bits new files and folders of this process leave out; returns the old mask. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.get().invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** reboot(2): RB_AUTOBOOT or RB_POWER_OFF. Does not return when it works. */
    public static void reboot(int how) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int rc = (int) REBOOT.get().invokeExact(st, how);
            check("reboot", rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setClock(long epochMillis) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment ts = a.allocate(16, 8);
            ts.set(LONG, 0, Math.floorDiv(epochMillis, 1000));
            ts.set(LONG, 8, Math.floorMod(epochMillis, 1000) * 1_000_000L);
            int rc = (int) CLOCK_SETTIME.get().invokeExact(st, 0 /* CLOCK_REALTIME */, ts);
            check("clock_settime", rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An AF_INET datagram socket, the handle the network ioctls go through. */
    public static int inetSocket() throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) SOCKET.get().invokeExact(st, AF_INET, SOCK_DGRAM, 0);
            return (int) check("socket", fd, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.get().invokeExact(a.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(2) read-only; close the descriptor with {@link #close(int)}. */
    /**
     * setns(2): moves the calling OS thread into the namespace behind fd (e.g. CLONE_NEWNET with an
     * fd of /run/netns/NAME). Only that thread moves: call it from a platform thread, never a
     * virtual one (which may continue on another carrier).
     */
    public static void setns(int fd, int nstype) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int rc = (int) SETNS.get().invokeExact(st, fd, nstype);
            check("setns", rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int openReadOnly(String path) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) OPEN.get().invokeExact(st, a.allocateFrom(path), 0 /* O_RDONLY */, 0);
            return (int) check("open " + path, fd, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
            long pos = 0;
            while (pos < size) {
                MemorySegment st = a.allocate(CAPTURE);
                long data = (long) LSEEK.get().invokeExact(st, fd, pos, 3 /* SEEK_DATA */);
                if (data < 0) {
                    int errno = (int) ERRNO.get(st, 0L);
                    if (errno == 6) break; // ENXIO: no data after pos
                    throw new SyscallException("lseek SEEK_DATA " + path, errno);
                }
                long hole = (long) LSEEK.get().invokeExact(st, fd, data, 4 /* SEEK_HOLE */);
                check("lseek SEEK_HOLE " + path, hole, st);
                out.add(new long[] {data, Math.min(hole, size)});
                pos = hole;
            }
            return out;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            close(fd);
        }
    }

    public static void ioctl(int fd, long request, MemorySegment arg, String what) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int rc = (int) IOCTL.get().invokeExact(st, fd, request, arg);
            check(what, rc, st);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
