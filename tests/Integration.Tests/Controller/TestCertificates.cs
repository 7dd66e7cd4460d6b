namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// A throw-away PKI made with the openssl CLI at test time (RSA 2048, as <c>ovs-pki</c> makes): the test CA,
/// the controller's and a switch's certificates signed by it, and a foreign CA with a switch certificate of
/// its own. Files are PEM, laid out as OVS's set-ssl expects them (key, certificate, CA certificate).
/// </summary>
public sealed record TestCertificates(
    string CaCert,
    string ControllerKey,
    string ControllerCert,
    string SwitchKey,
    string SwitchCert,
    string ForeignCaCert,
    string ForeignSwitchKey,
    string ForeignSwitchCert)
{
    public static TestCertificates Create(string directory)
    {
        Directory.CreateDirectory(directory);
        string File(string name) => Path.Combine(directory, name);
        MakeCa(File("ca"), "dvr-test-ca");
        MakeCa(File("foreign-ca"), "foreign-ca");
        Issue(File("ca"), File("controller"), "dvr-controller");
        Issue(File("ca"), File("switch"), "switch-h1");
        Issue(File("foreign-ca"), File("foreign-switch"), "switch-foreign");
        return new TestCertificates(
            File("ca-cert.pem"),
            File("controller-privkey.pem"),
            File("controller-cert.pem"),
            File("switch-privkey.pem"),
            File("switch-cert.pem"),
            File("foreign-ca-cert.pem"),
            File("foreign-switch-privkey.pem"),
            File("foreign-switch-cert.pem"));
    }

    private static void MakeCa(string prefix, string name) => OvsTestbed.Run("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", $"{prefix}-privkey.pem", "-out", $"{prefix}-cert.pem",
        "-days", "2", "-subj", $"/CN={name}"]);

    private static void Issue(string caPrefix, string prefix, string name)
    {
        OvsTestbed.Run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", $"{prefix}-privkey.pem", "-out", $"{prefix}-req.pem", "-subj", $"/CN={name}"]);
        OvsTestbed.Run("openssl", ["x509", "-req", "-in", $"{prefix}-req.pem", "-CA", $"{caPrefix}-cert.pem", "-CAkey", $"{caPrefix}-privkey.pem",
            "-CAcreateserial", "-out", $"{prefix}-cert.pem", "-days", "2"]);
    }
}
