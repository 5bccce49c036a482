package dev.lichen.armboot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeBootTest {
    @Test
    void smoke(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("s.img");
        var res = new ImageBuilder(Progress.to(System.out)).build(TestImages.request(Board.ARM64_VIRT,
                TestImages.config(dir, "arm64-virt", 9), img, TestImages.tinyAppliance(dir, 3)));
        System.out.println(res);
        Path k = TestImages.extract(img, "vmlinuz", dir);
        Path i = TestImages.extract(img, "initrd.img", dir);
        String cmd = new String(Files.readAllBytes(TestImages.extract(img, "cmdline.txt", dir))).trim();
        System.setProperty("lichen.qemu.echo", "1");
        try (Qemu q = Qemu.virt(k, i, cmd, img)) {
            q.await(l -> l.contains("tiny-appliance: reading"), Duration.ofSeconds(120), "reading");
        }
    }
}
