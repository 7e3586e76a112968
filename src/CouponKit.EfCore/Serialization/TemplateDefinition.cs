using CouponKit.Issuance;

namespace CouponKit.EfCore.Serialization;

/// <summary>
/// The stored form of a template's definition: the core's <see cref="TemplateDefinitionJson"/> (the format the Redis template
/// cache shares), with its failures as <see cref="CouponKitStoreException"/>.
/// </summary>
internal static class TemplateDefinition
{
    /// <summary>Writes the definition.</summary>
    /// <param name="draft">The definition.</param>
    /// <returns>The JSON.</returns>
    /// <exception cref="CouponKitStoreException">A rule or benefit kind has no stored form.</exception>
    public static string Serialize(TemplateDraft draft)
    {
        try
        {
            return TemplateDefinitionJson.Serialize(draft);
        }
        catch (NotSupportedException ex)
        {
            throw new CouponKitStoreException("WriteTemplate", ex.Message, ex);
        }
    }

    /// <summary>Reads a stored definition.</summary>
    /// <param name="templateId">The template, for the error message.</param>
    /// <param name="json">The JSON.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="CouponKitStoreException">The JSON is not a valid definition.</exception>
    public static TemplateDraft Deserialize(string templateId, string json)
    {
        try
        {
            return TemplateDefinitionJson.Deserialize(templateId, json);
        }
        catch (InvalidDataException ex)
        {
            throw new CouponKitStoreException("ReadTemplate", "stored: " + ex.Message, ex);
        }
    }
}
