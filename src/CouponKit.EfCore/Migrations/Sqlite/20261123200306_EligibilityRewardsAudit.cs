using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EligibilityRewardsAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "UserId",
                table: "ck_tcc_operations",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IdentityKey",
                table: "ck_coupons",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "IdentitySequence",
                table: "ck_coupons",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ck_attempt_throttle",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Misses = table.Column<int>(type: "INTEGER", nullable: false),
                    LastMiss = table.Column<long>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_attempt_throttle", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "ck_audit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SubjectKind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Changes = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_audit", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ck_product_discounts",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Sku = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_product_discounts", x => new { x.UserId, x.TemplateId, x.Sku });
                });

            migrationBuilder.CreateTable(
                name: "ck_reward_losses",
                columns: table => new
                {
                    RuleId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UsedByOrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    DiscountAmount = table.Column<decimal>(type: "TEXT", precision: 38, scale: 10, nullable: true),
                    DiscountCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_reward_losses", x => new { x.RuleId, x.OrderId });
                });

            migrationBuilder.CreateTable(
                name: "ck_reward_refunds",
                columns: table => new
                {
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    RefundedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_reward_refunds", x => x.OrderId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IdentityKey", "IdentitySequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ck_audit_OwnerId_SubjectId_Id",
                table: "ck_audit",
                columns: new[] { "OwnerId", "SubjectId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_product_discounts_UserId_OrderId",
                table: "ck_product_discounts",
                columns: new[] { "UserId", "OrderId" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_reward_losses_RecordedAt",
                table: "ck_reward_losses",
                column: "RecordedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ck_attempt_throttle");

            migrationBuilder.DropTable(
                name: "ck_audit");

            migrationBuilder.DropTable(
                name: "ck_product_discounts");

            migrationBuilder.DropTable(
                name: "ck_reward_losses");

            migrationBuilder.DropTable(
                name: "ck_reward_refunds");

            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons");

            migrationBuilder.DropColumn(
                name: "UserId",
                table: "ck_tcc_operations");

            migrationBuilder.DropColumn(
                name: "IdentityKey",
                table: "ck_coupons");

            migrationBuilder.DropColumn(
                name: "IdentitySequence",
                table: "ck_coupons");
        }
    }
}
