package dev.lichen.armboot;

import dev.lichen.armboot.debian.AptSources;
import dev.lichen.armboot.flash.Flasher;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lichen image build|flash}: sealed appliance images, built from Debian and written to cards. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build a sensor-appliance disk image, or flash one to a card.",
        subcommands = {ImageCommand.Build.class, ImageCommand.Flash.class})
public final class ImageCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "build", mixinStandardHelpOptions = true, description = "Build a bootable image for a board.")
    static final class Build implements Callable<Integer> {
        @Option(names = "--board", required = true, description = "rpi3, rpi4 or arm64-virt") String board;
        @Option(names = "--config", required = true, description = "the device config (device.json)") Path config;
        @Option(names = {"-o", "--output"}, required = true, description = "the image file to write") Path output;
        @Option(names = "--mirror", description = "Debian mirror URL (default: the Debian archive in this machine's apt sources)") URI mirror;
        @Option(names = "--cache", description = "download cache (default: ~/.cache/lichen/debian)") Path cache;
        @Option(names = "--keyring", defaultValue = "/usr/share/keyrings/debian-archive-keyring.gpg",
                description = "Debian archive keys (default: ${DEFAULT-VALUE})") Path keyring;
        @Option(names = "--address", description = "a fixed IPv4 address with prefix (e.g. 192.168.1.50/24) instead of DHCP") String address;
        @Option(names = "--router", description = "the router for --address") String router;
        @Option(names = "--no-class-archive", description = "leave out the class archive (AppCDS), which needs qemu-aarch64 "
                + "(Debian's qemu-user) to make; the image then boots more slowly (QEMU virt: first reading ~11 s, not ~8.7 s)") boolean noClassArchive;
        @Option(names = "--data-mib", defaultValue = "4", description = "size of the data partition, which holds the outbox, in MiB "
                + "(default: ${DEFAULT-VALUE}: about 55,000 readings, 2.9 days of the example config's; the outbox's budget is "
                + "lowered to what it holds)") long dataMib;

        @Override
        public Integer call() {
            try {
                Board b = Board.of(board);
                URI m = mirror != null ? mirror : AptSources.debianMirror(Path.of("/etc/apt"));
                Path c = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "lichen", "debian");
                Appliance app = Appliance.sensor(List.of("run", "--config", "/etc/lichen/device.json"));
                if ((address == null) != (router == null)) throw new BuildException("--address and --router go together");
                java.util.Optional<ImageBuilder.StaticAddress> fixed = address == null ? java.util.Optional.empty()
                        : java.util.Optional.of(new ImageBuilder.StaticAddress(address, router));
                ImageBuilder.Result r = new ImageBuilder(Progress.to(System.out)).build(
                        new ImageBuilder.Request(b, config, output, m, c, keyring, app, dataMib << 20, fixed, !noClassArchive));
                System.out.printf("%s: %s raw, runtime %s, initramfs %s, kernel %s, Java modules %s%n", r.image(),
                        Progress.mib(r.rawBytes()), Progress.mib(r.runtimeBytes()), Progress.mib(r.initramfsBytes()),
                        Progress.mib(r.kernelBytes()), r.modules());
                return 0;
            } catch (BuildException e) {
                System.err.println("lichen image build: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("lichen image build: " + e);
                return 1;
            }
        }
    }

    @Command(name = "flash", mixinStandardHelpOptions = true, description = "Write an image to a card (a whole disk such as /dev/sdX).")
    static final class Flash implements Callable<Integer> {
        @Parameters(index = "0", description = "the image") Path image;
        @Parameters(index = "1", description = "the card's whole-disk device, e.g. /dev/sdX") Path device;
        @Option(names = "--force", description = "allow a disk the kernel does not call removable") boolean force;

        @Override
        public Integer call() {
            try {
                new Flasher(Flasher.Environment.system(), Progress.to(System.out)).flash(image, device, force);
                return 0;
            } catch (BuildException e) {
                System.err.println("lichen image flash: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("lichen image flash: " + e);
                return 1;
            }
        }
    }
}
