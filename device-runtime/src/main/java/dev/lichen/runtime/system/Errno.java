package dev.lichen.runtime.system;

/** Names for the errno values an init meets, so a boot log says "ENODEV", not "19". */
final class Errno {
    private Errno() {}

    static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 20 -> "ENOTDIR";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 38 -> "ENOSYS";
            case 61 -> "ENODATA";
            case 95 -> "EOPNOTSUPP";
            case 101 -> "ENETUNREACH";
            default -> "errno " + errno;
        };
    }
}
