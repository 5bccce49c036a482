package dev.lichen.runtime.system;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Lambdas of every kind Init's package uses (ClassArchiveTest): non-capturing, capturing, bound
 * and unbound method references, a constructor reference. Lives in Init's package on purpose.
 */
public final class LambdaFixture {
    private final String name = "fixture";

    public static void main(String[] args) {
        Runnable plain = () -> System.out.print("");
        plain.run();
        int n = args.length;
        Supplier<Integer> capturing = () -> n + 1;
        capturing.get();
        Function<String, Integer> unbound = String::length;
        unbound.apply("x");
        LambdaFixture f = new LambdaFixture();
        Supplier<String> bound = f::name;
        bound.get();
        Supplier<StringBuilder> constructor = StringBuilder::new;
        constructor.get();
        List.of(1, 2).forEach(i -> System.out.print(""));
    }

    private String name() {
        return name;
    }
}
