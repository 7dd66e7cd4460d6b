using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Switch;

/// <summary>enum ofp_controller_role (OpenFlow 1.3.5 §A.3.9).</summary>
public enum ControllerRole : uint
{
    NoChange = 0,
    Equal = 1,

    /// <summary>OFPCR_ROLE_MASTER; OVS 3.1 prints it as "primary".</summary>
    Primary = 2,

    /// <summary>OFPCR_ROLE_SLAVE; OVS 3.1 prints it as "secondary".</summary>
    Secondary = 3,
}

/// <summary>
/// struct ofp_role_request (OpenFlow 1.3.5 §A.3.9), shared by ROLE_REQUEST and ROLE_REPLY:
/// <code>
///  +---------------+---------------+-------------------------------+
///  |     role      |    pad(4)     |         generation_id         |
///  +---------------+---------------+-------------------------------+
/// </code>
/// generation_id orders primary elections; it is ignored for EQUAL and NOCHANGE.
/// </summary>
public abstract record RoleMessage : OpenFlowMessage
{
    public const int BodySize = 16;

    public ControllerRole Role { get; init; }

    public ulong GenerationId { get; init; }

    public override int BodyLength => BodySize;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32((uint)Role);
        writer.WriteZeros(4);
        writer.WriteUInt64(GenerationId);
    }

    private protected static (ControllerRole Role, ulong Generation) DecodeRole(ref SpanReader body)
    {
        uint role = body.ReadUInt32();
        body.SkipPadding(4);
        ulong generation = body.ReadUInt64();
        if (role > (uint)ControllerRole.Secondary)
        {
            throw new OpenFlowException(OfpError.BadRole, $"role {role} is not one of nochange/equal/master/slave");
        }

        return ((ControllerRole)role, generation);
    }

    /// <summary>OVS ofputil_format_role_message: " role=primary generation_id=5" (no generation for nochange).</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(" role=").Append(Role switch
        {
            ControllerRole.NoChange => "nochange",
            ControllerRole.Equal => "equal",
            ControllerRole.Primary => "primary",
            _ => "secondary",
        });
        if (Role != ControllerRole.NoChange && GenerationId != ulong.MaxValue)
        {
            output.Append(" generation_id=").Append(GenerationId.ToString(CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>OFPT_ROLE_REQUEST (OpenFlow 1.3.5 §A.3.9).</summary>
public sealed record RoleRequest : RoleMessage
{
    public override OfpType Type => OfpType.RoleRequest;

    public static RoleRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var (role, generation) = DecodeRole(ref body);
        return new RoleRequest { Xid = header.Xid, Role = role, GenerationId = generation };
    }
}

/// <summary>OFPT_ROLE_REPLY (OpenFlow 1.3.5 §A.3.9).</summary>
public sealed record RoleReply : RoleMessage
{
    public override OfpType Type => OfpType.RoleReply;

    public static RoleReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var (role, generation) = DecodeRole(ref body);
        return new RoleReply { Xid = header.Xid, Role = role, GenerationId = generation };
    }
}
