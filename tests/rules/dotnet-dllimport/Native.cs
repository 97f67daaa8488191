using System.Runtime.InteropServices;
static class Native {
    // ruleid: dotnet-dllimport
    [DllImport("libfast")]
    public static extern int Sum(int a, int b);
}
