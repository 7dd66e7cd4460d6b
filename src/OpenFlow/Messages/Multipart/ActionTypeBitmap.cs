using System.Text;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// A set of OpenFlow 1.3 action types as a bitmap (bit n = action type n, OpenFlow 1.3.5 §7.3.5.9
/// ofp_group_features.actions). Printed the way OVS prints its own action set (lib/ofp-actions.c
/// ofpact_bitmap_format): OVS names in OVS's internal action order, separated by spaces. OVS has no
/// internal action for copy_ttl_out/in or push/pop_pbb, so those bits print nothing, as in ovs-ofctl.
/// </summary>
public static class ActionTypeBitmap
{
    // (OpenFlow 1.3 action type, OVS name) in the order of OVS's enum ofpact_type.
    private static readonly (int Type, string Name)[] OvsOrder =
    [
        (0, "output"), (22, "group"), (25, "set_field"), (18, "strip_vlan"), (17, "push_vlan"),
        (23, "mod_nw_ttl"), (24, "dec_ttl"), (15, "set_mpls_ttl"), (16, "dec_mpls_ttl"),
        (19, "push_mpls"), (20, "pop_mpls"), (21, "set_queue"),
    ];

    /// <summary>Appends the names of the set bits, or "&lt;none&gt;" when no known action is set.</summary>
    public static void Format(StringBuilder output, uint bitmap)
    {
        bool any = false;
        foreach (var (type, name) in OvsOrder)
        {
            if ((bitmap & (1u << type)) != 0)
            {
                if (any)
                {
                    output.Append(' ');
                }

                output.Append(name);
                any = true;
            }
        }

        if (!any)
        {
            output.Append("<none>");
        }
    }
}
