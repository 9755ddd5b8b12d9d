package io.portcullis.tools.webmethods;

import java.util.Map;

/**
 * The settings of webMethods's own authorization server, the {@code local} alias (type
 * {@code authServerAlias}): what becomes Portcullis's top-level settings. Null: not stated.
 *
 * @param accessTokenTtl    {@code tokenGeneratorConfig.accessTokenExpInterval}, seconds as text
 * @param codeTtl           {@code authCodeExpInterval}, seconds as text
 * @param enforcePkce       {@code enforcePKCE}: the global switch
 * @param scopeDescriptions {@code scopes[{name, description}]}, in the export's order
 */
public record LocalAlias(String accessTokenTtl, String codeTtl, Boolean enforcePkce,
    Map<String, String> scopeDescriptions) {}
