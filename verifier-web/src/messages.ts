/**
 * Every stable code the verifier can show — core's verification, chain, QR, record and Merkle
 * codes, the PDF reader's codes, the API's error codes and the site's own — with its Chinese and
 * English text. The one table: test/verification/messages.test.ts checks that no code in core,
 * the PDF reader or the API is missing here.
 */

export type Language = "zh" | "en";
export interface Message {
  readonly zh: string;
  readonly en: string;
}

const m = (zh: string, en: string): Message => ({ zh, en });

export const CODE_MESSAGES: Readonly<Record<string, Message>> = {
  // ---- verification steps: success ----
  FORMAT_OK: m("证书数据格式正确", "The certificate data is well formed"),
  LEAF_OK: m("证书内容与其数字指纹一致", "The fields match the certificate's fingerprint"),
  PROOF_OK: m("证书属于已发布的证书批次", "The certificate belongs to its batch"),
  ANCHORED: m("批次已在区块链上存证", "The batch is anchored on the blockchain"),
  INSTITUTION_APPROVED_AT_ANCHOR: m("存证时发证机构资质有效", "The institution was approved when the batch was anchored"),
  NOT_REVOKED: m("证书及其批次均未撤销", "Neither the certificate nor its batch is revoked"),
  SKIPPED: m("前一步未通过，此步未执行", "Not checked because an earlier step failed"),
  INCOMPLETE: m("核验未完成", "The verification did not complete"),

  // ---- verification: failures ----
  BUNDLE_NOT_OBJECT: m("证书数据不是有效的 JSON 对象", "The certificate data is not a JSON object"),
  BUNDLE_UNKNOWN_FIELD: m("证书数据包含未知内容，已拒绝", "The certificate data holds unexpected entries and is refused"),
  BUNDLE_CHAIN_ID_FORMAT: m("证书数据中的链 ID 格式错误", "The chain id in the certificate data is malformed"),
  BUNDLE_REGISTRY_FORMAT: m("证书数据中的登记合约地址格式错误", "The registry address in the certificate data is malformed"),
  BUNDLE_WRONG_CHAIN: m(
    "证书登记在另一条区块链上，与本核验网站读取的链不同；请到证书二维码所指的核验网站核验",
    "The certificate names another blockchain than the one this verifier reads; verify it on the site its QR code names",
  ),
  BUNDLE_WRONG_REGISTRY: m(
    "证书登记在另一个登记合约中，与本核验网站读取的合约不同；请到证书二维码所指的核验网站核验",
    "The certificate names another registry contract than the one this verifier reads; verify it on the site its QR code names",
  ),
  FIELD_NOT_CANONICAL: m(
    "证书数据中的某项内容不是签发时的规范写法，已拒绝",
    "A value in the certificate data is not in the normalised form it was issued in, and is refused",
  ),
  CHECK_FAILED: m(
    "核验程序出现意外错误，暂时无法核验；这并不表示证书无效",
    "The check failed unexpectedly; this does not mean the certificate is invalid",
  ),
  ROOT_FORMAT: m("批次根哈希格式错误", "The batch root is malformed"),
  PROOF_FORMAT: m("默克尔证明格式错误", "The Merkle proof is malformed"),
  CERTIFICATE_NUMBER_MISMATCH: m("证书数据与二维码中的证书编号不符", "The data does not belong to the certificate number in the QR code"),
  LEAF_MISMATCH: m(
    "证书内容与二维码中的数字指纹不符，内容可能被篡改",
    "The fields do not match the fingerprint in the QR code; the certificate may have been altered",
  ),
  PROOF_MISMATCH: m(
    "证书内容无法对应到批次根哈希：内容被篡改，或证明不属于该批次",
    "The certificate does not lead to the batch root: its fields were altered or the proof belongs to another batch",
  ),
  ROOT_NOT_ANCHORED: m("该证书批次从未在区块链上存证", "This certificate batch was never anchored on the blockchain"),
  NOT_CERTIFICATE_BATCH: m("该哈希在链上登记的不是证书批次", "The root was anchored as something other than a certificate batch"),
  INSTITUTION_MISMATCH: m(
    "证书上的发证机构与链上存证机构不一致",
    "The batch was anchored by another institution than the one on the certificate",
  ),
  INSTITUTION_NOT_APPROVED_AT_ANCHOR: m(
    "存证时发证机构未获批准或已被暂停，证书无效",
    "The institution was not approved (or was suspended) when the batch was anchored",
  ),
  BATCH_REVOKED: m("该证书所在批次已被整体撤销", "The whole certificate batch has been revoked"),
  CERTIFICATE_REVOKED: m("该证书已被撤销", "This certificate has been revoked"),

  // ---- verification: warnings ----
  INSTITUTION_SUSPENDED_SINCE_ANCHOR: m(
    "发证机构在证书存证后已被暂停评价资格；存证时机构资质正常，证书仍然有效",
    "The institution has been suspended since the anchoring; it was in good standing then, so the certificate stays valid",
  ),
  INSTITUTION_REVOKED_SINCE_ANCHOR: m(
    "发证机构在证书存证后已被撤销资质；存证时机构资质正常，证书仍然有效",
    "The institution's approval has been revoked since the anchoring; it was in good standing then, so the certificate stays valid",
  ),

  // ---- chain reads ----
  RPC_UNAVAILABLE: m("暂时无法连接区块链节点", "The blockchain node cannot be reached right now"),
  RPC_BAD_RESPONSE: m("区块链节点返回了无法识别的数据", "The blockchain node answered with unexpected data"),
  RPC_DISAGREEMENT: m("多个区块链节点的结果不一致，出于安全考虑不作判断", "The blockchain nodes disagree; no verdict is given"),
  RPC_OUT_OF_SYNC: m("区块链节点之间尚未同步", "The blockchain nodes are out of sync"),
  RPC_WRONG_CHAIN: m("区块链节点连接到了错误的链", "The blockchain node is on the wrong chain"),
  REGISTRY_NOT_DEPLOYED: m("在配置的地址上找不到证书登记合约", "No certificate registry contract at the configured address"),

  // ---- QR code ----
  QR_NOT_URL: m("二维码内容不是链接，不是本平台的证书二维码", "The QR code is not a link, so not a SkillCert certificate"),
  QR_FOREIGN_HOST: m(
    "该二维码指向的不是受信任的核验网站，已拒绝。请警惕伪造证书",
    "The QR code points to a website that is not a trusted verifier; it was rejected. Beware of forged certificates",
  ),
  QR_INSECURE_SCHEME: m("二维码使用了不安全的 http 链接，已拒绝", "The QR code uses an insecure http link and was rejected"),
  QR_EXTRA_PARAMETERS: m(
    "二维码链接携带了额外参数，本平台的证书二维码不会这样，已拒绝",
    "The QR link carries extra parameters, which SkillCert codes never do; rejected",
  ),
  QR_UNKNOWN_VERSION: m("不支持该版本的证书二维码", "This version of certificate QR code is not supported"),
  QR_MALFORMED: m("二维码链接格式不正确", "The QR link is malformed"),
  QR_BAD_CERTIFICATE_NUMBER: m("二维码中的证书编号无效", "The certificate number in the QR code is invalid"),
  QR_BAD_LEAF: m("二维码中的证书指纹已损坏", "The certificate fingerprint in the QR code is damaged"),

  // ---- certificate fields (the format step names the first problem) ----
  UNKNOWN_FIELD: m("证书包含未知字段", "The certificate has an unknown field"),
  MISSING_FIELD: m("证书缺少必填字段", "A required field is missing"),
  WRONG_TYPE: m("证书字段类型错误", "A field has the wrong type"),
  CONTROL_CHARACTERS: m("证书字段含有控制字符或不可见字符", "A field contains control or invisible characters"),
  TOO_LONG: m("证书字段过长", "A field is too long"),
  NAME_CHARACTERS: m("姓名含有不允许的字符", "The name contains characters that are not allowed"),
  DATE_FORMAT: m("发证日期无效", "The issue date is invalid"),
  LEVEL_INVALID: m("技能等级无效", "The skill level is invalid"),
  SCORE_OUT_OF_RANGE: m("成绩超出 0–100 范围", "A score is outside 0–100"),
  SCORE_PRECISION: m("成绩最多保留一位小数", "A score has more than one decimal place"),
  SCORE_BELOW_PASS: m("成绩低于合格线，不可能获发证书", "A score is below the pass mark, so no certificate could have been issued"),
  SCORES_MISSING: m("缺少成绩", "The scores are missing"),
  TEMPLATE_ID_FORMAT: m("证书样式编号格式错误", "The certificate template id is malformed"),
  LEAF_FORMAT: m("过程记录指纹格式错误", "A process record fingerprint is malformed"),
  DUPLICATE_LEAF: m("过程记录重复", "A process record is linked twice"),
  TOO_MANY: m("过程记录过多", "Too many process records"),
  CERT_NUMBER_LENGTH: m("证书编号应为 22 位", "The certificate number must have 22 characters"),
  CERT_NUMBER_INSTITUTION_TYPE: m("证书编号首位应为 Y 或 S", "The certificate number must start with Y or S"),
  CERT_NUMBER_DIGITS: m("证书编号除首位外应全部为数字", "The certificate number must be digits after its first letter"),
  CERT_NUMBER_PROVINCE: m("证书编号中的省份代码无效", "The province code in the certificate number is invalid"),
  CERT_NUMBER_INSTITUTION_CODE: m("证书编号中的机构代码无效", "The institution code in the certificate number is invalid"),
  CERT_NUMBER_SITE: m("证书编号中的考点序号无效", "The site serial in the certificate number is invalid"),
  CERT_NUMBER_LEVEL: m("证书编号中的等级位无效", "The level digit in the certificate number is invalid"),
  CERT_NUMBER_SERIAL: m("证书编号中的流水号无效", "The serial in the certificate number is invalid"),
  CERT_NUMBER_LEVEL_MISMATCH: m("证书编号中的等级与证书等级不符", "The level in the certificate number does not match the certificate"),
  CERT_NUMBER_YEAR_MISMATCH: m("证书编号中的年份与发证日期不符", "The year in the certificate number does not match the issue date"),
  ID_TYPE_UNKNOWN: m("证件类型无效", "Unknown ID document type"),
  ID_LENGTH: m("身份证号码应为 18 位", "A resident ID number has 18 characters"),
  ID_CHARACTERS: m("身份证号码含有无效字符", "The ID number contains invalid characters"),
  ID_REGION: m("身份证号码中的地区码无效", "The region code of the ID number is invalid"),
  ID_BIRTH_DATE: m("身份证号码中的出生日期无效", "The birth date in the ID number is invalid"),
  ID_CHECK_DIGIT_MISMATCH: m("身份证号码校验位错误", "The ID number's check digit is wrong"),
  ID_FORMAT: m("证件号码格式错误", "The ID number is malformed"),
  USCC_LENGTH: m("统一社会信用代码应为 18 位", "A unified social credit code has 18 characters"),
  USCC_CHARACTERS: m("统一社会信用代码含有无效字符", "The credit code contains invalid characters"),
  USCC_REGION: m("统一社会信用代码中的地区码无效", "The region code of the credit code is invalid"),
  USCC_CHECK_DIGIT_MISMATCH: m("统一社会信用代码校验位错误", "The credit code's check character is wrong"),
  OCCUPATION_CODE_FORMAT: m("职业编码格式错误", "The occupation code is malformed"),
  RECORD_NOT_OBJECT: m("证书记录不是 JSON 对象", "The certificate record is not a JSON object"),
  RECORD_UNKNOWN_SCHEMA: m("未知的证书格式版本", "Unknown certificate format version"),
  RECORD_FIELDS_NOT_OBJECT: m("证书字段列表格式错误", "The certificate's fields are malformed"),
  FIELD_HASH_FORMAT: m("隐藏字段的哈希格式错误", "A hidden field's hash is malformed"),
  FIELD_SALT_FORMAT: m("字段随机盐格式错误", "A field's salt is malformed"),
  FIELD_SHAPE: m("字段结构错误", "A field has the wrong structure"),
  MERKLE_EMPTY_BATCH: m("批次为空", "The batch is empty"),
  MERKLE_DUPLICATE_LEAF: m("批次中有重复证书", "The batch has a duplicate certificate"),
  MERKLE_BAD_LEAF: m("证书指纹格式错误", "A certificate fingerprint is malformed"),
  MERKLE_INDEX_OUT_OF_RANGE: m("证书不在批次中", "The certificate is not in the batch"),

  // ---- certificate PDF ----
  PDF_TOO_LARGE: m("文件过大（上限 20 MB）", "The file is too large (20 MB at most)"),
  PDF_UNREADABLE: m("无法读取该 PDF：文件不是 PDF、已损坏或已加密", "The PDF cannot be read: not a PDF, damaged or encrypted"),
  PDF_NO_CERTIFICATE_DATA: m(
    "该 PDF 中没有证书核验数据，请上传平台签发的电子证书，或扫描二维码",
    "This PDF holds no certificate data; upload the issued e-certificate or scan its QR code",
  ),
  PDF_BAD_CERTIFICATE_DATA: m("PDF 中的证书核验数据已损坏", "The certificate data in the PDF is damaged"),
  PDF_INPUT_INVALID: m("证书 PDF 内容无效", "The certificate PDF content is invalid"),

  // ---- API ----
  VERIFY_ITEM_FAILED: m("此项暂时无法核验，请稍后重试", "This item could not be verified now; try again"),
  CERTIFICATE_NOT_FOUND: m(
    "未找到相符的证书。请核对证书编号和姓名后重试",
    "No matching certificate. Check the certificate number and name and try again",
  ),
  RATE_LIMITED: m("操作过于频繁，请稍后再试", "Too many requests; please wait a moment and try again"),
  INVALID_REQUEST: m("请求格式不正确", "The request is malformed"),
  BAD_CERTIFICATE_NUMBER: m(
    "证书编号格式不正确（应为 22 位，如 S000151000001253000001）",
    "The certificate number is malformed (22 characters, e.g. S000151000001253000001)",
  ),
  BAD_LEAF: m("证书指纹格式不正确", "The certificate fingerprint is malformed"),
  BAD_HOLDER_NAME: m("请填写证书上的姓名", "Enter the name as printed on the certificate"),
  BAD_ID_NUMBER: m("请填写证件号码", "Enter the ID number"),
  VERIFY_BATCH_TOO_LARGE: m("一次最多核验 100 张证书", "At most 100 certificates per request"),
  BAD_JSON: m("请求内容不是有效的 JSON", "The request body is not valid JSON"),
  PAYLOAD_TOO_LARGE: m("请求内容过大", "The request is too large"),
  NOT_FOUND: m("页面或接口不存在", "No such page or endpoint"),
  INTERNAL: m("服务器内部错误，请稍后再试", "Internal server error; please try again later"),
  DATABASE_UNAVAILABLE: m("证书查询服务暂时不可用", "The certificate directory is unavailable right now"),

  // ---- the site itself ----
  NETWORK_ERROR: m("网络连接失败，请检查网络后重试", "Network error; check your connection and try again"),
  CAMERA_DENIED: m(
    "未获得摄像头权限。您可以改为上传证书 PDF 或二维码照片",
    "Camera permission was not granted. You can upload the certificate PDF or a photo of its QR code instead",
  ),
  CAMERA_UNAVAILABLE: m(
    "此设备或浏览器无法使用摄像头。您可以改为上传证书 PDF 或二维码照片",
    "No camera is available here. You can upload the certificate PDF or a photo of its QR code instead",
  ),
  QR_NOT_FOUND_IN_IMAGE: m(
    "未能在图片中识别到二维码。请拍摄清晰、完整的二维码后重试",
    "No QR code was found in the picture. Take a sharp photo of the whole code and try again",
  ),
  FILE_UNSUPPORTED: m("请上传 PDF 文件或图片（JPG、PNG）", "Upload a PDF or a picture (JPG, PNG)"),
  FILE_TOO_LARGE: m("文件过大（上限 20 MB）", "The file is too large (20 MB at most)"),
};

/** The message for `code`, or a generic one naming the code (never empty). */
export function messageFor(code: string | undefined, language: Language): string {
  const message = code ? CODE_MESSAGES[code] : undefined;
  if (message) return message[language];
  return language === "zh" ? `未知错误（${code ?? "—"}）` : `Unknown error (${code ?? "—"})`;
}
