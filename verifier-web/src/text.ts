/**
 * The site's own wording (labels, headings, explanations), Chinese first. Codes shown to the
 * visitor are in messages.ts; this file is the page's furniture.
 */
import type { Language, Message } from "./messages.js";

const m = (zh: string, en: string): Message => ({ zh, en });

export const TEXT = {
  title: m("职业技能等级证书核验", "Vocational Skill Certificate Verification"),
  subtitle: m("基于区块链存证，在您的浏览器中独立核验", "Checked in your browser against the blockchain record"),
  switchLanguage: m("English", "中文"),
  switchLanguageLabel: m("Switch to English", "切换到中文"),

  tabScan: m("扫码核验", "Scan QR code"),
  tabUpload: m("上传文件", "Upload file"),
  tabLookup: m("编号查询", "Look up"),

  scanIntro: m(
    "扫描证书上的二维码需要使用您的摄像头。画面只在本机浏览器中识别，不会上传或保存。点击下方按钮后，浏览器会询问是否允许使用摄像头。",
    "Scanning the QR code on the certificate needs your camera. The picture is read only in this browser; it is never uploaded or stored. After you press the button, the browser will ask for permission.",
  ),
  scanStart: m("开启摄像头", "Start camera"),
  scanStop: m("停止扫描", "Stop scanning"),
  scanHint: m("请将证书上的二维码放入取景框内", "Hold the certificate's QR code inside the frame"),
  scanStarting: m("正在开启摄像头…", "Starting the camera…"),

  uploadIntro: m(
    "上传平台签发的电子证书（PDF），或证书二维码的照片（JPG、PNG）。文件只在本机浏览器中读取，不会上传。",
    "Upload the issued e-certificate (PDF) or a photo of its QR code (JPG, PNG). The file is read in this browser only; it is never uploaded.",
  ),
  uploadChoose: m("选择文件", "Choose file"),
  uploadReading: m("正在读取文件…", "Reading the file…"),

  lookupIntro: m(
    "输入证书编号和持证人姓名查询证书，然后核验其区块链存证。",
    "Enter the certificate number and the holder's name to find the certificate, then verify it.",
  ),
  lookupNumber: m("证书编号", "Certificate number"),
  lookupNumberPlaceholder: m("22 位，如 S000151000001253000001", "22 characters, e.g. S000151000001253000001"),
  lookupName: m("姓名", "Name"),
  lookupNamePlaceholder: m("证书上的姓名", "As printed on the certificate"),
  lookupSubmit: m("查询并核验", "Find and verify"),
  lookupSearching: m("正在查询…", "Searching…"),

  rejected: m("无法核验", "Cannot verify"),
  noticeQr: m("二维码已拒绝", "QR code rejected"),
  noticeCamera: m("无法使用摄像头", "Camera not available"),
  noticeNotFound: m("未找到证书", "Certificate not found"),
  noticeFile: m("无法读取文件", "Cannot read the file"),
  scannedLink: m("二维码指向", "The QR code points to"),

  resultHeading: m("核验结果", "Verification result"),
  verdictValid: m("有效", "Valid"),
  verdictValidSuspended: m("有效 · 发证机构已暂停", "Valid · institution suspended"),
  verdictValidInstitutionRevoked: m("有效 · 发证机构已撤销", "Valid · institution revoked"),
  verdictInvalid: m("无效", "Invalid"),
  verdictRevoked: m("已撤销", "Revoked"),
  verdictCannotVerify: m("暂时无法核验", "Cannot verify now"),
  verdictRunning: m("正在核验…", "Verifying…"),
  validExplanation: m(
    "证书内容与区块链存证一致，发证机构存证时资质有效，证书未被撤销。",
    "The certificate matches its blockchain record, the institution was approved when it was anchored, and it is not revoked.",
  ),
  cannotVerifyExplanation: m("这并不表示证书无效，请稍后重试。", "This does not mean the certificate is invalid; please try again later."),
  standingAtAnchor: m("存证时机构资质", "Institution standing when anchored"),

  stepsHeading: m("核验步骤", "Verification steps"),
  step_format: m("数据格式", "Data format"),
  step_integrity: m("内容完整性", "Integrity"),
  step_inclusion: m("批次归属", "Batch membership"),
  step_anchor: m("区块链存证", "Blockchain anchor"),
  step_institution: m("发证机构资质", "Institution standing"),
  step_revocation: m("撤销状态", "Revocation status"),
  status_PENDING: m("等待", "Waiting"),
  status_RUNNING: m("核验中…", "Checking…"),
  status_VALID: m("通过", "Passed"),
  status_INVALID: m("未通过", "Failed"),
  status_ERROR: m("无法完成", "Could not check"),
  status_SKIPPED: m("未执行", "Skipped"),

  certificateHeading: m("证书信息", "Certificate"),
  unverifiedNote_INVALID: m("以下内容未通过核验，不能作为任何证明。", "The details below FAILED verification and prove nothing."),
  unverifiedNote_REVOKED: m("该证书已被撤销，以下内容仅供参考。", "This certificate is revoked; the details are for reference only."),
  unverifiedNote_CANNOT_VERIFY: m("以下内容尚未完成核验。", "The details below are not verified yet."),
  field_certificateNumber: m("证书编号", "Certificate number"),
  field_holderName: m("姓名", "Name"),
  field_idType: m("证件类型", "ID document"),
  field_idNumber: m("证件号码", "ID number"),
  field_occupationName: m("职业（工种）", "Occupation"),
  field_occupationCode: m("职业编码", "Occupation code"),
  field_level: m("技能等级", "Skill level"),
  field_theoryScore: m("理论知识成绩", "Theory score"),
  field_skillScore: m("操作技能成绩", "Practical score"),
  field_comprehensiveScore: m("综合评审成绩", "Comprehensive score"),
  field_issueDate: m("发证日期", "Issue date"),
  field_institutionId: m("评价机构（统一社会信用代码）", "Institution (credit code)"),
  field_templateId: m("证书样式", "Certificate template"),
  field_processRecordLeaves: m("考核过程记录", "Assessment process records"),
  hiddenValue: m("已隐藏", "hidden"),
  idMaskedNote: m("（打码显示）", "(masked)"),
  noScore: m("—", "—"),
  recordsCount: m("条", "records"),

  chainHeading: m("区块链存证", "Blockchain record"),
  chainId: m("链 ID", "Chain ID"),
  registryAddress: m("证书登记合约", "Registry contract"),
  checkedAtBlock: m("核验时区块高度", "Checked at block"),
  endpoints: m("查询节点数", "Nodes asked"),
  anchorBlock: m("存证区块", "Anchored in block"),
  anchorTime: m("存证时间", "Anchored at"),
  batchSize: m("批次证书数", "Certificates in batch"),
  batchRoot: m("批次根哈希", "Batch root"),
  leaf: m("证书指纹", "Certificate fingerprint"),
  institutionNow: m("机构当前状态", "Institution status now"),
  revokedAt: m("撤销时间", "Revoked at"),
  revocationReason: m("撤销原因", "Reason"),
  revocationReasonCode: m("撤销原因代码", "Revocation reason code"),
  verifiedAt: m("核验时间", "Verified at"),
  institution_None: m("未登记", "not registered"),
  institution_Registered: m("已登记未批准", "registered, not approved"),
  institution_Approved: m("正常", "approved"),
  institution_Suspended: m("已暂停", "suspended"),
  institution_Revoked: m("已撤销", "revoked"),

  confirmHeading: m("核对证件号码（可选）", "Confirm the ID number (optional)"),
  confirmIntro: m(
    "证书上的证件号码已隐藏。如需确认，请输入持证人证件号码，由服务器通过加盐哈希比对，本页面不会显示完整号码。",
    "The ID number is hidden. To confirm it, type the holder's ID number; the server compares it through a salted hash, and this page never shows the full number.",
  ),
  confirmInput: m("证件号码", "ID number"),
  confirmSubmit: m("核对", "Confirm"),
  confirmMatch: m("一致：您输入的证件号码与证书记录相符", "Match: the number you typed is the certificate's"),
  confirmNoMatch: m("不一致：您输入的证件号码与证书记录不符", "No match: the number you typed is not the certificate's"),

  print: m("打印核验结果", "Print result"),
  again: m("核验其他证书", "Verify another certificate"),
  footer: m(
    "核验在您的浏览器中完成：页面读取证书数据，重新计算其哈希，并直接向区块链查询存证、机构资质与撤销状态。服务器只提供数据，无法改变核验结论。",
    "Verification runs in your browser: the page hashes the certificate data itself and asks the blockchain for the anchor, the institution's standing and revocations. The server only supplies data; it cannot change the verdict.",
  ),
  printedFrom: m("核验网址", "Verified at"),
} satisfies Record<string, Message>;

export type TextKey = keyof typeof TEXT;

export function text(key: TextKey, language: Language): string {
  return TEXT[key][language];
}
