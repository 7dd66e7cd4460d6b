using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Messages.Flow;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// FLOW_MOD text as ovs-ofctl prints it after the header (OVS ofputil_flow_mod_format), e.g.
/// <c> ADD table:1 priority=2,dl_vlan=5 cookie:0x1234 idle:10 send_flow_rem actions=output:3</c>.
/// </summary>
public static class FlowModText
{
    public static void Format(StringBuilder output, FlowMod mod, PortNames names)
    {
        output.Append(' ').Append(mod.Command switch
        {
            FlowModCommand.Add => "ADD",
            FlowModCommand.Modify => "MOD",
            FlowModCommand.ModifyStrict => "MOD_STRICT",
            FlowModCommand.Delete => "DEL",
            FlowModCommand.DeleteStrict => "DEL_STRICT",
            _ => "cmd:" + ((int)mod.Command).ToString(CultureInfo.InvariantCulture),
        });
        if (mod.TableId != 0)
        {
            output.Append(" table:").Append(mod.TableId);
        }

        output.Append(' ');
        MatchTextBridge.Append(output, mod.Match, names, mod.Priority);
        if (output[^1] != ' ')
        {
            output.Append(' ');
        }

        // OVS: an ADD sets the cookie (printed "cookie:0x.." when non-zero); other commands match the cookie
        // under cookie_mask (printed "cookie:0x../0x.." when the mask is non-zero).
        if (mod.Command == FlowModCommand.Add)
        {
            if (mod.Cookie != 0 && mod.Cookie != ulong.MaxValue)
            {
                output.Append("cookie:0x").Append(Hex(mod.Cookie)).Append(' ');
            }
        }
        else if (mod.CookieMask != 0)
        {
            output.Append("cookie:0x").Append(Hex(mod.Cookie)).Append("/0x").Append(Hex(mod.CookieMask)).Append(' ');
        }

        if (mod.IdleTimeout != 0)
        {
            output.Append("idle:").Append(mod.IdleTimeout).Append(' ');
        }

        if (mod.HardTimeout != 0)
        {
            output.Append("hard:").Append(mod.HardTimeout).Append(' ');
        }

        if (mod.BufferId != FlowMod.NoBuffer)
        {
            output.Append("buf:0x").Append(mod.BufferId.ToString("x", CultureInfo.InvariantCulture)).Append(' ');
        }

        if (mod.OutPort != OfpPort.Any)
        {
            output.Append("out_port:");
            PortFormat.Append(output, mod.OutPort, names);
            output.Append(' ');
        }

        FlowStatsText.AppendFlags(output, mod.Flags, " ");
        output.Append("actions=");
        mod.Instructions.Format(output, names);
    }

    private static string Hex(ulong value) => value.ToString("x", CultureInfo.InvariantCulture);
}
