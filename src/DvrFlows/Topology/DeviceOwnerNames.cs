namespace Dvr.DvrFlows.Topology;

/// <summary>The device_owner strings Neutron uses, and the <see cref="DeviceOwner"/> each one means.</summary>
public static class DeviceOwnerNames
{
    public const string ComputePrefix = "compute:";
    public const string Dhcp = "network:dhcp";
    public const string RouterInterfaceDistributed = "network:router_interface_distributed";
    public const string RouterCentralizedSnat = "network:router_centralized_snat";
    public const string RouterInterface = "network:router_interface";
    public const string RouterGateway = "network:router_gateway";

    /// <summary>Every accepted spelling, for error messages.</summary>
    public const string Accepted =
        "compute:<zone> (e.g. compute:nova), network:dhcp, network:router_interface_distributed, "
        + "network:router_centralized_snat, network:router_interface, network:router_gateway";

    /// <summary>Parses a Neutron device_owner; <c>compute:</c> followed by any availability zone is a VM.</summary>
    public static bool TryParse(string text, out DeviceOwner owner)
    {
        owner = text switch
        {
            Dhcp => DeviceOwner.Dhcp,
            RouterInterfaceDistributed => DeviceOwner.RouterInterfaceDistributed,
            RouterCentralizedSnat => DeviceOwner.RouterCentralizedSnat,
            RouterInterface => DeviceOwner.RouterInterface,
            RouterGateway => DeviceOwner.RouterGateway,
            _ => DeviceOwner.Compute,
        };
        return owner != DeviceOwner.Compute
            || (text.StartsWith(ComputePrefix, StringComparison.Ordinal) && text.Length > ComputePrefix.Length);
    }

    /// <summary>The canonical Neutron spelling (compute ports print as compute:nova).</summary>
    public static string Format(DeviceOwner owner) => owner switch
    {
        DeviceOwner.Compute => "compute:nova",
        DeviceOwner.Dhcp => Dhcp,
        DeviceOwner.RouterInterfaceDistributed => RouterInterfaceDistributed,
        DeviceOwner.RouterCentralizedSnat => RouterCentralizedSnat,
        DeviceOwner.RouterInterface => RouterInterface,
        DeviceOwner.RouterGateway => RouterGateway,
        _ => throw new ArgumentOutOfRangeException(nameof(owner), owner, "unknown device owner"),
    };
}
