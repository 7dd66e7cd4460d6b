using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using Dvr.OvsTestbed.Exec;

// dvr-testbed: bring a topology's testbed up or down, or show its state (docs/testbed.md).
const string Usage = """
    usage:
      dvr-testbed up TOPOLOGY.yaml [--prefix P] [--controller tcp:IP:PORT|unix:PATH|none] [--base-dir DIR] [--keep-on-failure]
      dvr-testbed apply TOPOLOGY.yaml [--prefix P] [--base-dir DIR]   (bring a running testbed to an edited topology)
      dvr-testbed down [--prefix P] [--base-dir DIR]
      dvr-testbed status [--prefix P] [--base-dir DIR]
      dvr-testbed exec [--prefix P] NAMESPACE COMMAND...     (runs COMMAND in PREFIX+NAMESPACE, e.g. v-vm1 or h-cn1)
      dvr-testbed ping [--prefix P] PORT DESTINATION-IP      (from a VM port's namespace)
      dvr-testbed demo TOPOLOGY.yaml [--prefix P] [--keep]   (testbed + Dvr controller + ping matrix + underlay proof)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    string verb = args[0];
    var positional = new List<string>();
    string prefix = TestbedOptions.DefaultPrefix;
    string? baseDir = null;
    var controller = ControllerTarget.None;
    bool keepOnFailure = false;
    bool keep = false;
    for (int i = 1; i < args.Length; i++)
    {
        // exec passes everything after the namespace through untouched.
        if (verb == "exec" && positional.Count >= 1)
        {
            positional.Add(args[i]);
            continue;
        }

        switch (args[i])
        {
            case "--prefix":
                prefix = Value(args, ref i);
                break;
            case "--controller":
                controller = ControllerTarget.Parse(Value(args, ref i));
                break;
            case "--keep-on-failure":
                keepOnFailure = true;
                break;
            case "--keep":
                keep = true;
                break;
            case "--base-dir":
                baseDir = Value(args, ref i);
                break;
            default:
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"unknown option '{args[i]}'");
                }

                positional.Add(args[i]);
                break;
        }
    }

    var options = new TestbedOptions { Prefix = prefix, Controller = controller, BaseDirectory = baseDir, KeepOnFailure = keepOnFailure };
    switch (verb)
    {
        case "up":
            {
                if (positional.Count != 1)
                {
                    throw new ArgumentException("up needs exactly one TOPOLOGY file");
                }

                var topology = TopologyLoader.Load(positional[0]);
                var testbed = await Testbed.UpAsync(topology, options);
                Console.WriteLine($"testbed '{testbed.Prefix}' up in {testbed.BringUpTime.TotalSeconds:F1} s: {testbed.Hosts.Count} hosts, " +
                                  $"{testbed.Plan.Namespaces.Length} port/router namespaces, controller {controller}");
                foreach (var host in testbed.Hosts.Values)
                {
                    Console.WriteLine($"  {host.Name}: netns {host.Namespace}, run dir {host.RunDirectory}, " +
                                      $"ovs-vsctl --db=unix:{host.DbSocket}, OVS_RUNDIR={host.RunDirectory} ovs-ofctl -O OpenFlow13 ..., " +
                                      $"ovs-appctl -t {host.VswitchdControl}");
                }

                foreach (var ns in testbed.Plan.Namespaces)
                {
                    Console.WriteLine($"  {ns.Kind} {ns.Owner} on {ns.Host}: netns {ns.Name}");
                }

                return 0;
            }

        case "apply":
            {
                if (positional.Count != 1)
                {
                    throw new ArgumentException("apply needs exactly one TOPOLOGY file");
                }

                var topology = TopologyLoader.Load(positional[0]);
                var transition = await Testbed.Attach(topology, options).ApplyAsync(topology);
                Console.WriteLine($"testbed '{prefix}': {transition}");
                return 0;
            }

        case "demo":
            if (positional.Count != 1)
            {
                throw new ArgumentException("demo needs exactly one TOPOLOGY file");
            }

            return await Demo.RunAsync(positional[0], prefix, keep, Console.Out);
        case "down":
            Console.WriteLine(await Testbed.DownAsync(options));
            return 0;
        case "status":
            Console.Write(await Testbed.StatusAsync(options));
            return 0;
        case "exec":
            {
                if (positional.Count < 2)
                {
                    throw new ArgumentException("exec needs NAMESPACE and COMMAND");
                }

                string ns = positional[0].StartsWith(prefix, StringComparison.Ordinal) ? positional[0] : prefix + positional[0];
                var result = await CommandRunner.RunAsync("ip", ["netns", "exec", ns, .. positional.Skip(1)]);
                Console.Write(result.Stdout);
                Console.Error.Write(result.Stderr);
                return result.ExitCode;
            }

        case "ping":
            {
                if (positional.Count != 2)
                {
                    throw new ArgumentException("ping needs PORT and DESTINATION-IP");
                }

                var result = await CommandRunner.RunAsync(
                    "ip", ["netns", "exec", TestbedNames.PortNamespace(prefix, positional[0]), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", positional[1]]);
                Console.Write(result.Stdout);
                Console.Error.Write(result.Stderr);
                return result.ExitCode;
            }

        default:
            throw new ArgumentException($"unknown command '{verb}'");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or TopologyValidationException or TestbedCommandException or InvalidOperationException or IOException or TimeoutException)
{
    Console.Error.WriteLine($"dvr-testbed: {e.Message}");
    return 1;
}

static string Value(string[] args, ref int i)
{
    if (i + 1 >= args.Length)
    {
        throw new ArgumentException($"option '{args[i]}' needs a value");
    }

    return args[++i];
}
