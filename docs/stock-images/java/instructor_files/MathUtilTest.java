// A test without JUnit: `java MathUtilTest <group>` exits 0 when every check passes.
public class MathUtilTest {
    static void check(boolean passed, String what) {
        System.out.println((passed ? "ok   " : "FAIL ") + what);
        if (!passed) System.exit(1);
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "gcd" -> {
                check(MathUtil.gcd(12, 18) == 6, "gcd(12, 18) == 6");
                check(MathUtil.gcd(7, 0) == 7, "gcd(7, 0) == 7");
            }
            case "isPrime" -> {
                check(MathUtil.isPrime(2), "isPrime(2)");
                check(!MathUtil.isPrime(1), "!isPrime(1)");
                check(!MathUtil.isPrime(91), "!isPrime(91)");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
