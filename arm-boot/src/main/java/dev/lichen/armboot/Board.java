package dev.lichen.armboot;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The boards an image can be built for, and what each needs: console, kernel modules (with
 * their dependencies found at build time), the device of the data partition, the Pi firmware
 * and device trees. The Pi firmware is the cut-down one (start_cd.elf: no video codecs, no 3D,
 * 0.8 MB instead of 2.3-3.0 MB), which the firmware picks with gpu_mem=16 in config.txt: a
 * headless appliance uses neither, and the room holds the image's class archive. Wired Ethernet
 * only: Wi-Fi-only boards need a supplicant and come later.
 */
public enum Board {
    RPI3("rpi3", "console=ttyS1,115200", "/dev/mmcblk0p2",
            List.of("bootcode.bin", "start_cd.elf", "fixup_cd.dat"),
            List.of("bcm2837-rpi-3-b.dtb", "bcm2837-rpi-3-b-plus.dtb"),
            List.of("dwc2", "smsc95xx", "lan78xx"), List.of("sdhci-iproc", "bcm2835", "bcm2835_wdt")),
    RPI4("rpi4", "console=ttyS1,115200", "/dev/mmcblk1p2",
            List.of("start4cd.elf", "fixup4cd.dat"),
            List.of("bcm2711-rpi-4-b.dtb"),
            List.of("genet", "mdio-bcm-unimac", "broadcom"), List.of("sdhci-iproc", "bcm2835_wdt")),
    ARM64_VIRT("arm64-virt", "console=ttyAMA0", "/dev/vda2",
            List.of(), List.of(),
            List.of("virtio_net"), List.of("virtio_blk", "i6300esb"));

    /** Modules every board needs: the data partition's file system. */
    static final List<String> COMMON_MODULES = List.of("vfat", "nls_cp437", "nls_ascii");

    public final String id;
    public final String console;
    public final String dataDevice;
    public final List<String> firmware;
    public final List<String> deviceTrees;
    /** The wired network's modules (init loads them on the network's own thread) and the others. */
    public final List<String> networkModules, modules;

    Board(String id, String console, String dataDevice, List<String> firmware, List<String> deviceTrees,
          List<String> networkModules, List<String> modules) {
        this.id = id;
        this.console = console;
        this.dataDevice = dataDevice;
        this.firmware = firmware;
        this.deviceTrees = deviceTrees;
        this.networkModules = networkModules;
        this.modules = modules;
    }

    public boolean isRaspberryPi() {
        return !firmware.isEmpty();
    }

    /** The board by its id, or an error that says which exist and which come later. */
    public static Board of(String id) {
        for (Board b : values()) if (b.id.equals(id)) return b;
        String known = Arrays.stream(values()).map(b -> b.id).collect(Collectors.joining(", "));
        if (id.matches("rpi5|pi5|raspberry-?pi-?5"))
            throw new BuildException("board '" + id + "': the Raspberry Pi 5 comes later (its firmware and kernel "
                    + "differ); boards now: " + known);
        if (id.matches("(rpi-?)?(zero|zero2|zero2w|zero-2-w|pico)w?|.*wifi.*"))
            throw new BuildException("board '" + id + "': Wi-Fi-only boards come later (images have wired Ethernet "
                    + "only for now); boards now: " + known);
        throw new BuildException("unknown board '" + id + "': boards now are " + known);
    }
}
